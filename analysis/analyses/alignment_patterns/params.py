"""The ``alignment_patterns`` block of params.yaml (see its comments) and where the stage
writes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from analysis import paths
from analysis.config import Block, Params, Positive, Probability

#: The params.yaml key, the results.json key and the folder's name.
NAME = "alignment_patterns"
#: The stage's output folder (brain_matrix, stability, layers, systems, ranks .csv; summary).
OUTPUT = paths.ANALYSES / NAME


class AlignmentPatterns(Block):
    folds: Annotated[int, Field(ge=2)]
    max_channels: Positive
    n_boot: Annotated[int, Field(ge=10)]
    n_permutations: Annotated[int, Field(ge=10)]
    calibrated_alpha: Probability
    seed: int

    @model_validator(mode="after")
    def _enough_permutations(self) -> AlignmentPatterns:
        if 1 / (self.n_permutations + 1) >= self.calibrated_alpha:
            raise ValueError(
                f"alignment_patterns.n_permutations = {self.n_permutations}: the smallest p "
                f"it can give, 1/({self.n_permutations} + 1), must be below "
                f"alignment_patterns.calibrated_alpha = {self.calibrated_alpha}; raise "
                "n_permutations")
        return self


def block(params: Params) -> AlignmentPatterns:
    """The validated ``alignment_patterns`` block of ``params``."""
    value: AlignmentPatterns = getattr(params, NAME)
    return value
