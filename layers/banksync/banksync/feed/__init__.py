"""The incremental change feed: per-account change sequences and the cursors that name them."""
