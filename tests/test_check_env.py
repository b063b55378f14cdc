"""scripts/check_env.py: the post-install check of the environment against the lock file."""

from __future__ import annotations

import importlib.util
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_env", ROOT / "scripts" / "check_env.py")
check_env = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_env)


def test_names_missing_and_mismatched_packages():
    numpy = metadata.version("numpy")
    lock = (f"numpy=={numpy} \\\n    --hash=sha256:00\n"
            "surely-not-installed-pkg==1.0 \\\n    --hash=sha256:00\n"
            "scipy==0.0.1 \\\n    --hash=sha256:00\n# via x\n")
    assert check_env.problems(lock) == [
        "surely-not-installed-pkg: wanted 1.0, found nothing",
        f"scipy: wanted 0.0.1, found {metadata.version('scipy')}"]


def test_this_environment_matches_the_lock():
    assert check_env.problems((ROOT / "requirements.lock").read_text()) == []
