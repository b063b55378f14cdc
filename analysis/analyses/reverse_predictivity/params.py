"""The ``reverse_predictivity`` block of params.yaml (see its comments), and where the stage
writes. The stage imports this module, not spec.py, so editing the macros or the results
section does not rerun the analysis."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from analysis import paths
from analysis.config import Block, Params, Positive

#: The params.yaml key, the results.json key and the folder's name.
NAME = "reverse_predictivity"
#: The stage's output folder (subjects.csv, pairs.csv, units.csv, excluded.csv, summary.json).
OUTPUT = paths.ANALYSES / NAME


class ReversePredictivity(Block):
    folds: Annotated[int, Field(ge=2)]
    units_sample: Positive
    min_reliability: Annotated[float, Field(ge=0, lt=1)]
    common_rule: Literal["percentile", "subject_reference"]
    common_quantile: Annotated[float, Field(gt=0, le=0.5)]
    equivalence_margin: Annotated[float, Field(gt=0, lt=1)]
    seed: int


def block(params: Params) -> ReversePredictivity:
    """The validated ``reverse_predictivity`` block of ``params``."""
    value: ReversePredictivity = getattr(params, NAME)
    return value
