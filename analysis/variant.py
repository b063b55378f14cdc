"""Run the pipeline with changed parameters: ``python -m analysis variant -S key=value ...``.

A thin wrapper of ``dvc exp run -S key=value ...`` that keeps the committed state safe:

* every value is applied to a copy of params.yaml and the whole configuration validated first,
  so a bad value stops here, with its key and file named, before DVC changes anything;
* if the run fails or is interrupted (Ctrl-C), params.yaml is put back byte for byte as it was
  (DVC would leave the new values in it, rewritten in its own style). The stages' outputs are
  DVC ``persist`` outputs written atomically, so a failed or interrupted stage leaves the
  previous ones in place.

On success DVC leaves the variant's parameters and outputs in the workspace, as ``dvc exp run``
does (``git checkout -- . && dvc checkout`` returns to the committed state; ``dvc exp show``
lists the experiments).
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from analysis import config, paths
from analysis.errors import ParameterError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-S", "--set-param", dest="set_params", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="a parameter of params.yaml to change (dotted key, YAML value), "
                             "as for dvc exp run; repeat for several")
    parser.add_argument("--dry", action="store_true",
                        help="only validate the changed parameters")
    parser.add_argument("dvc_args", nargs=argparse.REMAINDER,
                        help="further arguments for dvc exp run (after --)")


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """``'a.b=value'`` -> (['a', 'b'], value parsed as YAML, as dvc exp run -S does)."""
    key, sep, value = text.partition("=")
    if not sep or not key or any(not part for part in key.split(".")):
        raise ParameterError(f"-S {text!r}: expected KEY=VALUE with a dotted key of "
                             f"{paths.PARAMS}, e.g. -S threshold=5")
    if key.split(".")[0] == "zoo":
        raise ParameterError(f"-S {text!r}: the model zoo lives in {paths.ZOO}; edit that file "
                             "(and commit it) instead")
    try:
        parsed = yaml.safe_load(value) if value else None
    except yaml.YAMLError as exc:
        raise ParameterError(f"-S {text!r}: the value is not valid YAML ({exc})") from None
    return key.split("."), parsed


def with_assignments(raw: dict, assignments: list[tuple[list[str], Any]]) -> dict:
    """A copy of the parsed params.yaml with every assignment applied; a key that is not in
    params.yaml is an error naming it (dvc exp run would add it)."""
    out = copy.deepcopy(raw)
    for parts, value in assignments:
        node = out
        for depth, part in enumerate(parts[:-1]):
            if not isinstance(node.get(part), dict):
                raise ParameterError(f"-S {'.'.join(parts)}: {'.'.join(parts[:depth + 1])} is "
                                     f"not a block of {paths.PARAMS}")
            node = node[part]
        if parts[-1] not in node:
            raise ParameterError(f"-S {'.'.join(parts)}: no such key in {paths.PARAMS} "
                                 f"(known here: {sorted(node)})")
        node[parts[-1]] = value
    return out


def check(set_params: list[str], params: Path = paths.PARAMS) -> config.Params:
    """Validate params.yaml with the assignments applied (ParameterError names key and file)."""
    raw = yaml.safe_load(params.read_text())
    zoo_path = params.with_name(paths.ZOO.name)
    zoo = yaml.safe_load(zoo_path.read_text())
    changed = with_assignments(raw, [parse_assignment(s) for s in set_params])
    return config.validate({**changed, **zoo}, params, zoo_path)


def run(args: argparse.Namespace) -> None:
    params = Path(args.params)
    if not args.set_params:
        raise ParameterError("variant: name at least one parameter to change, e.g. "
                             "`python -m analysis variant -S threshold=5`")
    check(args.set_params, params)
    if args.dry:
        print(f"valid: {' '.join(args.set_params)}")
        return
    committed = params.read_bytes()
    extra = [a for a in args.dvc_args if a != "--"]
    command = ["dvc", "exp", "run", *[a for s in args.set_params for a in ("-S", s)], *extra]
    try:
        code = subprocess.call(command)
    except KeyboardInterrupt:
        code = 130
    if code != 0:
        params.write_bytes(committed)
        what = "interrupted" if code in (130, -2) else f"failed (exit {code})"
        print(f"variant {what}: {params} is back as it was; the outputs of the stages that "
              "did not finish are untouched", file=sys.stderr)
        sys.exit(code if code > 0 else 130)
