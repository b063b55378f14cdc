"""Run every benchmark, or those named: ``python -m benchmarks [prepare_brain ...]``."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["prepare_brain", "extraction", "ridge", "pipeline", "paper_scale"]


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        importlib.import_module(f"benchmarks.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
