"""Import batches (CSV/XLSX uploads awaiting preview, dedupe and commit)."""
