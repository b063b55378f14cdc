"""One folder per analysis, each registered with analysis.registry (see its docstring)."""
