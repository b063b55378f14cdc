"""Provenance of stage outputs: DVC-compatible content hashes of inputs and code, parameters.

``dvc_md5`` reproduces DVC 3's hashes (md5 of a file's bytes; for a directory, md5 of the JSON
list of its files' {"md5", "relpath"} sorted by path, plus ".dir"), so a figure's embedded
input hashes can be compared with dvc.lock directly. The code is identified by the hashes of the
code files a stage depends on, not by a git revision, so a figure's bytes depend only on its
inputs and code: a fresh clone regenerates them identically.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from analysis import paths
from analysis.hashing import file_digest


def _file_md5(path: Path) -> str:
    return file_digest(path, "md5")


def dvc_md5(path: str | Path) -> str:
    """DVC 3's md5 of a file or directory."""
    path = Path(path)
    if path.is_file():
        return _file_md5(path)
    files = (p for p in path.rglob("*") if p.is_file() and not any(
        part.startswith(paths.STAGING_PREFIX) for part in p.relative_to(path).parts))
    entries = sorted(({"md5": _file_md5(p), "relpath": p.relative_to(path).as_posix()}
                      for p in files), key=lambda e: e["relpath"])
    digest = hashlib.md5(json.dumps(entries, sort_keys=True).encode("utf-8")).hexdigest()
    return digest + ".dir"


def _lookup(params: dict, key: str) -> Any:
    node = params
    for part in key.split("."):
        node = node[part]
    return node


def stage_provenance(stage: str, dvc_yaml: Path = Path("dvc.yaml"),
                     params_file: Path = Path("params.yaml")) -> dict[str, Any]:
    """Stage name, command, parameter values and input hashes (code files included) of a
    (non-foreach) stage, as it runs now."""
    spec = yaml.safe_load(dvc_yaml.read_text())["stages"][stage]
    params = yaml.safe_load(params_file.read_text())
    deps = [str(d) for d in spec.get("deps", [])]
    values: dict[str, Any] = {}
    for key in spec.get("params", []):
        if isinstance(key, dict):  # keys of another file (zoo.yaml: [zoo]): that file's hash
            for name in key:
                other = params_file.with_name(name)
                values[name] = f"md5:{dvc_md5(other)}" if other.is_file() else None
        else:
            values[str(key)] = _lookup(params, str(key))
    return {"stage": stage, "cmd": spec["cmd"], "params": values,
            "deps": {d: dvc_md5(d) for d in deps if Path(d).exists()}}


def as_text(prov: dict[str, Any]) -> str:
    """Compact JSON for file metadata."""
    return json.dumps(prov, sort_keys=True, separators=(",", ":"))
