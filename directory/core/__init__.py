"""Cross-domain building blocks: ids, timestamps, errors, pagination, mail."""
