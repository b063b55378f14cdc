"""Statistics over arrays and tables: selection, localizers, metrics, profiles, reliability,
similarity, comparison and inference. Pure functions; no file I/O."""
