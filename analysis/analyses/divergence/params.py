"""The ``divergence`` block of params.yaml (see its comments), and where the stage writes. The
stage imports this module, not spec.py, so editing the macros, tables or the results section
does not rerun the analysis. The checks of the block against ``categories``, ``subjects``,
``models`` and ``zoo`` are :class:`analysis.config.Params`'s."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from analysis import paths
from analysis.config import Block, Domain, Params, Subject

#: The params.yaml key, the results.json key and the folder's name.
NAME = "divergence"
#: The stage's output folder (images, subject_images, subjects, diagnostics, generalisation,
#: enrichment, real_images, it_rdm .csv; summary.json).
OUTPUT = paths.ANALYSES / NAME


class RealImageContrast(Block):
    set: Literal["floc", "localizer2", "kriegeskorte92"]
    units: Domain
    column: str
    a: str
    b: str


class Divergence(Block):
    diagnostics: dict[Domain, Annotated[list[str], Field(min_length=2, max_length=2)]]
    residual_cutoff: Annotated[float, Field(gt=0)]
    discovery_subjects: Annotated[list[Subject], Field(min_length=1)]
    discovery_models: Annotated[list[str], Field(min_length=1)]
    discovery_image_share: Annotated[float, Field(gt=0, lt=1)]
    control_shift: float
    real_images: list[RealImageContrast]
    seed: int


def block(params: Params) -> Divergence:
    """The validated ``divergence`` block of ``params``."""
    value: Divergence = getattr(params, NAME)
    return value
