"""Command line: ``python -m analysis <command>``; each DVC stage is one command.

Commands read params.yaml from the working directory (the repository root).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from analysis.errors import InputError, ParameterError

#: command name -> module in analysis.stages (imported only when the command runs)
COMMANDS = {
    "simulate": "simulate",
    "prepare-brain": "prepare_brain",
    "select-voxels": "select_voxels",
    "stimuli": "stimuli",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    parser.add_argument("--params", default="params.yaml", help="parameter file")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        sub.add_parser(name)
    args, extra = parser.parse_known_args(argv)
    args.extra = extra
    module = importlib.import_module(f"analysis.stages.{COMMANDS[args.command]}")
    try:
        module.run(args)
    except (InputError, ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
