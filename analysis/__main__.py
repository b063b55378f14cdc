"""Command line: ``python -m analysis <command> [args]``; each DVC stage is one command.

Commands read params.yaml from the working directory (the repository root). A stage module
may define ``add_arguments(parser)`` for its own arguments (e.g. the model key of a foreach
stage) and must define ``run(args)``.
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
    "nsd-images": "nsd_images",
    "preprocess": "preprocess",
    "extract": "extract",
    "localize-units": "localize_units",
    "lesion": "lesion",
    "selectivity-metrics": "selectivity_metrics",
    "figures-network": "figures_network",
    "compare": "compare",
    "robustness": "robustness",
    "systems-map": "systems_map",
    "rsa92": "rsa92",
    "figures-brain": "figures_brain",
    "results": "results",
    "macros": "macros",
    "manuscript": "manuscript",
}


#: tools that are not pipeline stages: command name -> module
TOOLS = {"audit": "analysis.audit"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    parser.add_argument("--params", default="params.yaml", help="parameter file")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    targets = {**{k: f"analysis.stages.{v}" for k, v in COMMANDS.items()}, **TOOLS}
    for name, module in targets.items():
        p = sub.add_parser(name)
        if name in argv:  # import only the stage that runs (torch is slow to import)
            modules[name] = importlib.import_module(module)
            if hasattr(modules[name], "add_arguments"):
                modules[name].add_arguments(p)
    args = parser.parse_args(argv)
    try:
        modules[args.command].run(args)
    except (InputError, ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
