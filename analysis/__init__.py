"""selcomp: category selectivity in human visual cortex versus artificial neural networks.

The package is organised as pure functions over arrays and tables (``nsd``, ``demo``, statistics
modules) with I/O and the command line at the edges (``__main__``, ``stages``).
"""

__version__ = "0.1.0"
