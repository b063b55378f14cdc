"""A sha256 manifest of a local NSD copy, checked before any of its files is read.

The manifest is ``SHA256SUMS`` at the root of the copy, in coreutils' format (one
``<64 hex digits>  <path relative to the root>`` line per file, sorted by path), so
``cd <root> && sha256sum -c SHA256SUMS`` checks it without this package. Write it once, right
after downloading (``python -m analysis nsd-manifest``); the demo's simulated copy carries one.
Files imported with ``dvc import-url`` are checked by DVC as well (dvc.lock records their
hashes); the manifest covers copies made any other way (rsync, a shared drive, a USB disk).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from analysis.atomic import write_text
from analysis.errors import InputError
from analysis.hashing import file_digest

NAME = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def path(root: Path) -> Path:
    """Where the manifest of the copy at ``root`` lives."""
    return Path(root) / NAME


def _relative(root: Path, file: Path) -> str:
    """``file``'s path under ``root`` (links are not followed: a copy may link its files)."""
    return Path(os.path.abspath(file)).relative_to(os.path.abspath(root)).as_posix()


def write(root: Path, files: Iterable[Path]) -> Path:
    """Hash ``files`` (paths under ``root``) and write the manifest; returns its path."""
    root = Path(root)
    rel = sorted({_relative(root, f) for f in files})
    lines = [f"{file_digest(root / r)}  {r}\n"
             for r in tqdm(rel, desc="nsd-manifest: sha256", leave=False)]
    out = path(root)
    write_text("".join(lines), out)
    return out


def read(root: Path) -> dict[str, str]:
    """The manifest's entries, {relative path: sha256}; fails naming a malformed line."""
    file = path(root)
    entries: dict[str, str] = {}
    for n, line in enumerate(file.read_text().splitlines(), start=1):
        match = _LINE.match(line)
        if match is None:
            raise InputError(f"{file}, line {n}: not '<sha256>  <path>': {line[:80]!r}")
        entries[match.group(2)] = match.group(1)
    return entries


def check(root: Path, files: Iterable[Path]) -> bool:
    """Check ``files`` (under ``root``) against the copy's manifest before they are read.

    Returns False when the copy has no manifest (nothing to check against; the caller says
    so), True when every file matches. Raises InputError naming the first file that is not in
    the manifest or whose bytes differ from it.
    """
    root = Path(root)
    if not path(root).is_file():
        return False
    entries = read(root)
    for file in tqdm(sorted(set(files)), desc="checking files against SHA256SUMS",
                     leave=False):
        if not Path(file).is_file():
            continue  # its reader names it, with what to do
        rel = _relative(root, file)
        if rel not in entries:
            raise InputError(f"{file} is not in {path(root)}: add it (python -m analysis "
                             "nsd-manifest rewrites the manifest from the files present)")
        digest = file_digest(file)
        if digest != entries[rel]:
            raise InputError(f"{file} does not match its sha256 in {path(root)} (expected "
                             f"{entries[rel][:12]}..., the file has {digest[:12]}...): it "
                             "was damaged or changed after the manifest was written. "
                             "Download it again.")
    return True


def check_inputs(root: Path, files: Iterable[Path], stage: str) -> None:
    """``check``, and a line on stderr when the copy has no manifest to check against."""
    if not check(root, files):
        print(f"{stage}: {path(root)} not found, so the NSD files are not checked against "
              "their sha256s; write it once after downloading: python -m analysis "
              "nsd-manifest", file=sys.stderr)
