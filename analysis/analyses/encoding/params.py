"""The ``encoding`` block of params.yaml (see its comments), and where the stage writes. The
stage imports this module, not spec.py, so editing the macros or the results section does not
rerun the analysis."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field, model_validator

from analysis import paths
from analysis.config import Block, Params, Positive, Probability

#: The params.yaml key, the results.json key and the folder's name.
NAME = "encoding"
#: The stage's output folder (accuracy.csv, excluded.csv, summary.json).
OUTPUT = paths.ANALYSES / NAME


class Encoding(Block):
    relative_alphas: Annotated[list[Annotated[float, Field(gt=0, allow_inf_nan=False)]],
                               Field(min_length=2)]
    random_sets: Positive
    alpha: Probability
    smallest_effect_share: Annotated[float, Field(gt=0, lt=1)]
    insilico_readout: str | None
    insilico_pool: bool
    seed: int

    @model_validator(mode="after")
    def _enough_sets(self) -> Encoding:
        # the draw-permutation tests' smallest two-sided p is 2 / (random_sets + 1)
        if 2 / (self.random_sets + 1) > self.alpha:
            raise ValueError(f"encoding.random_sets = {self.random_sets}: the smallest p of the "
                             f"draw-permutation tests, 2/(random_sets + 1), must be at most "
                             f"encoding.alpha = {self.alpha}; set random_sets >= "
                             f"{math.ceil(2 / self.alpha - 1 - 1e-9)}")
        return self


def block(params: Params) -> Encoding:
    """The validated ``encoding`` block of ``params``."""
    value: Encoding = getattr(params, NAME)
    return value
