"""Check that the virtual environment holds every package of requirements.lock at its version.

Run by `make env` after installing: an install that ended without installing (seen once, from
`uv pip install` returning 0 on a fresh clone) then fails here, naming what is missing, instead
of a later stage or the tests failing on an import.

    python scripts/check_env.py requirements.lock
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def problems(lock_text: str) -> list[str]:
    """'name: wanted X, found Y' for every pinned package that is missing or another version."""
    out = []
    for line in lock_text.splitlines():
        m = PIN.match(line)
        if not m:
            continue
        name, wanted = m.groups()
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = "nothing"
        if found != wanted:
            out.append(f"{name}: wanted {wanted}, found {found}")
    return out


def main(path: str) -> int:
    with open(path) as f:
        bad = problems(f.read())
    if bad:
        print(f"{path}: the environment lacks {len(bad)} pinned package(s): "
              + "; ".join(bad[:5]) + (" ..." if len(bad) > 5 else ""), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock"))
