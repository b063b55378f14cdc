"""Real public stimulus sets: canonical sources, checksums, and fetching (mirror or download).

``data/sources.yaml`` declares each set: the repository, commit and path it comes from, the
archive URL, and a tree digest (sha256 over the sorted lines "<relative path> <sha256 of file>")
of the canonical files and of the documented offline mirror. A fetched copy is accepted only if
its digest matches one of them, so the pipeline's inputs are pinned whatever their origin.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import yaml

from analysis import paths
from analysis.errors import InputError
from analysis.hashing import file_digest

MIRROR_ENV = "SELCOMP_OFFLINE_MIRROR"
DEFAULT_MIRROR = Path("../shared/offline")


def load_sources(path: Path = paths.SOURCES) -> dict[str, dict[str, Any]]:
    """The stimulus-set declarations of data/sources.yaml."""
    with Path(path).open() as f:
        return yaml.safe_load(f)["sets"]


def tree_digest(root: Path, files: list[str]) -> str:
    """sha256 over sorted "<relpath> <sha256>\\n" lines of ``files`` under ``root``."""
    lines = "".join(f"{rel} {file_digest(Path(root) / rel)}\n" for rel in sorted(files))
    return hashlib.sha256(lines.encode()).hexdigest()


def list_files(root: Path, patterns: list[str]) -> list[str]:
    """Relative paths under ``root`` matching any glob pattern, sorted."""
    found = {str(p.relative_to(root)) for pat in patterns for p in Path(root).glob(pat)
             if p.is_file()}
    return sorted(found)


def mirror_root() -> Path | None:
    """The offline mirror: $SELCOMP_OFFLINE_MIRROR, else ../shared/offline if it exists."""
    env = os.environ.get(MIRROR_ENV)
    if env:
        if not Path(env).is_dir():
            raise InputError(f"{MIRROR_ENV}={env} is not a directory; unset it or point it at "
                             "a folder laid out like ../shared/offline")
        return Path(env)
    return DEFAULT_MIRROR if DEFAULT_MIRROR.is_dir() else None


def _verify(name: str, spec: dict[str, Any], folder: Path, source: str | Path) -> str:
    """The origin ('canonical' or 'mirror') of the copy in ``folder``, checked by its tree
    digest; errors name ``source``, where the copy came from (the mirror folder or URL)."""
    files = list_files(folder, spec["files"])
    if not files:
        raise InputError(f"stimulus set '{name}': no files matching {spec['files']} in {source}")
    digest = tree_digest(folder, files)
    accepted = {spec["sha256_tree"]: "canonical"}
    if spec.get("mirror_sha256_tree"):
        accepted[spec["mirror_sha256_tree"]] = "mirror"
    if digest not in accepted:
        raise InputError(f"stimulus set '{name}' from {source} has tree digest {digest}, "
                         "which matches neither the canonical source nor the documented mirror "
                         "in data/sources.yaml. That copy is altered or incomplete: fetch it "
                         "again.")
    return accepted[digest]


def _download(spec: dict[str, Any], dest: Path) -> None:
    """Download the source archive at its commit and extract the set's subfolder."""
    try:
        with urllib.request.urlopen(spec["archive_url"], timeout=120) as r:
            data = r.read()
    except OSError as exc:
        raise InputError(f"cannot download {spec['archive_url']} ({exc}). Offline? Set "
                         f"{MIRROR_ENV} to a mirror folder (see README, 'Public inputs').") from exc
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        top = z.namelist()[0].split("/")[0]
        prefix = "/".join(p for p in (top, spec["archive_subdir"].strip("/")) if p) + "/"
        for member in z.namelist():
            if member.startswith(prefix) and not member.endswith("/"):
                rel = member[len(prefix):]
                if spec.get("flat_to_category"):  # main_<cat>_<k>.png -> <cat>/...
                    rel = f"{Path(rel).name.split('_')[1]}/{Path(rel).name}"
                out = dest / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(z.read(member))


def fetch(name: str, spec: dict[str, Any], dest: Path, mirror: Path | None) -> str:
    """Materialise one set at ``dest`` from the mirror or its source; returns its origin."""
    if mirror is not None and (mirror / spec["mirror_subdir"]).is_dir():
        folder = mirror / spec["mirror_subdir"]
        for rel in list_files(folder, spec["files"]):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / rel, dest / rel)
        src: str | Path = folder
    else:
        src = spec["archive_url"]
        _download(spec, dest)
    return _verify(name, spec, dest, src)
