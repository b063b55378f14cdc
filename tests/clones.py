"""Fresh clones of this repository for the tests that work as a reviewer or an importer would:
commands run in a clone with the test S3 server's credentials in the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.s3_endpoint import CREDENTIALS

ROOT = Path(__file__).resolve().parents[1]
#: A committer for `dvc exp run` where git has none configured (the environment's wins).
IDENTITY = {"GIT_AUTHOR_NAME": "selcomp tests", "GIT_AUTHOR_EMAIL": "tests@selcomp.invalid",
            "GIT_COMMITTER_NAME": "selcomp tests", "GIT_COMMITTER_EMAIL": "tests@selcomp.invalid"}


def run(cmd: list[str], cwd: Path, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` in ``cwd``; on failure (with ``check``) raise naming the command and its
    output."""
    full = {**IDENTITY, **os.environ, **CREDENTIALS, "DVC_NO_ANALYTICS": "1", **(env or {})}
    done = subprocess.run(cmd, cwd=cwd, env=full, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout}\n{done.stderr}")
    return done


def dvc(*args: str, cwd: Path, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "dvc", *args], cwd, check, env)


def clone(dest: Path) -> Path:
    """A fresh clone of this repository's committed state, beside a link to ../shared."""
    run(["git", "clone", "--quiet", str(ROOT), str(dest)], ROOT)
    shared = ROOT.parent / "shared"
    if shared.exists() and not (dest.parent / "shared").exists():
        (dest.parent / "shared").symlink_to(shared)
    return dest


def ran_stages(output: str) -> list[str]:
    """The stages a `dvc repro` / `dvc exp run` output says it ran (or would, with --dry)."""
    return sorted(line.split("'")[1] for line in output.splitlines()
                  if line.startswith("Running stage"))
