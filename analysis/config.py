"""Read and validate params.yaml; resolve tier-dependent paths.

Every check raises :class:`ParameterError` naming the key, the bad value and the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ParameterError

TIERS = ("demo", "public", "nsd")
DEMO_ROOT = Path("data/demo")


def load_params(path: str | Path = "params.yaml") -> dict[str, Any]:
    """Load and validate the parameter file."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path} not found; run from the repository root")
    with path.open() as f:
        params = yaml.safe_load(f)
    validate(params, path)
    return params


def validate(params: dict[str, Any], path: Path | str = "params.yaml") -> None:
    """Check the keys every stage relies on."""
    tier = params.get("tier")
    if tier not in TIERS:
        raise ParameterError(f"{path}: tier must be one of {TIERS}, got {tier!r}")
    check_threshold(params.get("threshold"), "threshold", path)
    subjects = params.get("subjects")
    if not subjects or not all(isinstance(s, int) and 1 <= s <= 8 for s in subjects):
        raise ParameterError(f"{path}: subjects must be a list of NSD subjects 1..8, "
                             f"got {subjects!r}")
    defs = params.get("roi_definitions", {})
    unknown = [r for r in params.get("rois", []) if r not in defs]
    if unknown:
        raise ParameterError(f"{path}: unknown ROI name(s) {unknown} in 'rois'; known: "
                             f"{sorted(defs)}. Add a roi_definitions entry or fix the name.")
    if params.get("shared_images") not in ("shared515", "shared_any"):
        raise ParameterError(f"{path}: shared_images must be shared515 or shared_any, got "
                             f"{params.get('shared_images')!r}")
    if params.get("beta_format") not in ("auto", "hdf5", "nifti"):
        raise ParameterError(f"{path}: beta_format must be auto, hdf5 or nifti, got "
                             f"{params.get('beta_format')!r}")


def check_threshold(value: Any, key: str, path: Path | str = "params.yaml") -> float:
    """A t-threshold must be a finite, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0:
        raise ParameterError(f"{path}: {key} must be a finite number >= 0 (a t value, e.g. 7), "
                             f"got {value!r}. Example: dvc exp run -S {key}=5")
    return float(value)


@dataclass(frozen=True)
class BrainSource:
    """Where the NSD-format brain data of the current tier live, and their session counts."""

    root: Path
    sessions_per_subject: dict[int, int]
    trials_per_session: int
    synthetic: bool


def brain_source(params: dict[str, Any]) -> BrainSource:
    """The real NSD for tier 'nsd'; the simulated miniature NSD otherwise."""
    if params["tier"] == "nsd":
        block, root, synthetic = params["nsd"], Path(params["nsd"]["root"]), False
    else:
        block, root, synthetic = params["simulate"], DEMO_ROOT / "nsd", True
    sessions = block["sessions_per_subject"]
    if len(sessions) < max(params["subjects"]):
        raise ParameterError("sessions_per_subject must list a session count for subjects "
                             f"1..{max(params['subjects'])}, got {sessions!r}")
    return BrainSource(root, {s: int(sessions[s - 1]) for s in params["subjects"]},
                       int(block["trials_per_session"]), synthetic)
