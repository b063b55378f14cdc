"""Trace a figure (or any pipeline output) back to the raw inputs: `python -m analysis audit
figures/<file>`.

Prints the stage that made it, its command and parameters, every input (code files included)
with its hash, and recursively the stages behind each input
down to raw inputs (files no stage produces), all from dvc.lock. Then asks DVC whether the
workspace still matches that record (`dvc status` of the stage and everything upstream) and
says what changed if not. Exit status: 0 up to date, 1 stale, 2 unknown file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml

from analysis.errors import InputError
from analysis.report.provenance import dvc_md5

LOCK = Path("dvc.lock")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="a pipeline output, e.g. figures/figure3_...pdf")


def _covers(out: str, path: str) -> bool:
    return path == out or path.startswith(out.rstrip("/") + "/")


def load_lock(path: Path = LOCK) -> dict:
    if not path.is_file():
        raise InputError(f"{path} not found: run `dvc repro` first")
    return yaml.safe_load(path.read_text())["stages"]


def producer(lock: dict, path: str) -> str | None:
    """The stage whose outputs contain ``path`` (or the stage that produces a folder inside
    a dependency folder)."""
    for name, st in lock.items():
        if any(_covers(o["path"], path) for o in st.get("outs", [])):
            return name
    return None


def producers_of_dep(lock: dict, dep: str) -> list[str]:
    """Stages producing a dependency: its producer, or every stage with outputs inside it."""
    p = producer(lock, dep)
    if p:
        return [p]
    return sorted({n for n, st in lock.items()
                   for o in st.get("outs", []) if _covers(dep, o["path"])})


def _params(st: dict) -> dict:
    out = {}
    for values in st.get("params", {}).values():
        out.update(values)
    return out


def _short(v) -> str:
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= 70 else s[:67] + "..."


def lineage(lock: dict, stage: str, depth: int = 0, seen: set | None = None) -> list[str]:
    seen = set() if seen is None else seen
    pad = "  " * depth
    lines = []
    if stage in seen:
        return [f"{pad}{stage} (see above)"]
    seen.add(stage)
    st = lock[stage]
    lines.append(f"{pad}{stage}: {st['cmd']}")
    for k, v in _params(st).items():
        lines.append(f"{pad}  param {k} = {_short(v)}")
    for dep in st.get("deps", []):
        ups = producers_of_dep(lock, dep["path"])
        src = f"<- {', '.join(ups)}" if ups else "(raw input)"
        lines.append(f"{pad}  input {dep['path']}  md5 {dep.get('md5')}  {src}")
    for dep in st.get("deps", []):
        for up in producers_of_dep(lock, dep["path"]):
            lines += lineage(lock, up, depth + 1, seen)
    return lines


def workspace_revision() -> str:
    """The checkout's git commit, '+modified' if tracked files differ from it."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return rev + ("+modified" if dirty else "")


def staleness(stage: str) -> dict:
    """DVC's own status of the stage and its upstream stages ({} when up to date)."""
    from dvc.repo import Repo

    with Repo(".") as repo:
        return repo.status(targets=[stage], with_deps=True)


def run(args: argparse.Namespace) -> None:
    target = Path(args.target)
    lock = load_lock()
    stage = producer(lock, target.as_posix())
    if stage is None:
        print(f"{target} is not an output of any stage in dvc.lock", file=sys.stderr)
        sys.exit(2)
    out = next(o for o in lock[stage]["outs"] if _covers(o["path"], target.as_posix()))
    print(f"{target}")
    print(f"  stage:   {stage}")
    print(f"  command: {lock[stage]['cmd']}")
    print(f"  workspace revision: {workspace_revision()} (context only: the record "
          "identifies code by the hashes of its files)")
    recorded = out.get("md5")
    current = dvc_md5(out["path"]) if Path(out["path"]).exists() else None
    state = "matches" if current == recorded else f"DIFFERS (workspace md5 {current})"
    print(f"  output md5 (dvc.lock): {recorded} — workspace file {state}")
    print("\nLineage (from dvc.lock):")
    print("\n".join("  " + line for line in lineage(lock, stage)))
    changes = staleness(stage)
    print()
    if not changes and current == recorded:
        print("Status: UP TO DATE — the workspace matches the record that made this file.")
        return
    print("Status: STALE — rerun `dvc repro` to bring it up to date. Changes:")
    for name, what in changes.items():
        print(f"  {name}: {_short(what)}")
    if current != recorded:
        print(f"  {out['path']}: file differs from dvc.lock")
    sys.exit(1)
