"""Representative nominations and appointments (see workflow.py)."""
