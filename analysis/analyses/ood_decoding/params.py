"""The ``ood`` block of params.yaml (see its comments) and where the stages write."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from analysis import paths
from analysis.config import Block, Params, Positive

#: The results.json key and the folder's name.
NAME = "ood_decoding"
#: The params.yaml key of the block.
KEY = "ood"
#: The decoding stage's output folder (domains, accuracy, curves, matched, tests,
#: extrapolation, scaling_sweep .csv; summary.json). The domain stage writes paths.OOD_DATA.
OUTPUT = paths.ANALYSES / NAME

OodDomain = Literal["original", "grayscale", "blur", "mosaic", "edges", "silhouette",
                    "line_drawing"]


class OodDecoding(Block):
    stimulus_set: Literal["floc"]
    bases_per_class: Annotated[int, Field(ge=4)]
    train_domain: OodDomain
    domains: Annotated[list[OodDomain], Field(min_length=2)]
    layer: str
    train_per_class: Positive
    test_per_class: Positive
    splits: Annotated[int, Field(ge=2)]
    alphas: Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=1)]
    n_counts: Annotated[int, Field(ge=3)]
    min_count: Positive
    draws: Positive
    extrapolate_to: Annotated[int, Field(ge=2)]
    fit_min_sites: Positive
    site_counts: Annotated[list[Annotated[int, Field(ge=2)]], Field(min_length=1)]
    neural_sites: Annotated[int, Field(ge=3)]
    neural_reps: Annotated[int, Field(ge=2)]
    neural_noise_sd: Annotated[float, Field(gt=0)]
    neural_category_weight: Annotated[float, Field(ge=0, le=1)]
    neural_responses: str | None
    neural_labels: str | None
    alpha: Annotated[float, Field(gt=0, lt=1)]
    seed: int

    @model_validator(mode="after")
    def _consistent(self) -> OodDecoding:
        o, out = self, []
        if o.train_domain not in o.domains:
            out.append(f"ood.train_domain = {o.train_domain!r} is not in ood.domains = "
                       f"{o.domains}")
        if len(set(o.domains)) != len(o.domains):
            out.append(f"ood.domains = {o.domains}: list each domain once")
        if o.train_per_class + o.test_per_class > o.bases_per_class:
            out.append(f"ood.train_per_class + ood.test_per_class = "
                       f"{o.train_per_class + o.test_per_class} exceeds ood.bases_per_class = "
                       f"{o.bases_per_class} (training and test images must differ)")
        if (o.neural_responses is None) != (o.neural_labels is None):
            out.append("ood.neural_responses and ood.neural_labels: set both (your recordings "
                       "and their stimulus labels) or neither (the simulated population)")
        if out:
            raise ValueError("; ".join(out))
        return self


def block(params: Params) -> OodDecoding:
    """The validated ``ood`` block of ``params``."""
    value: OodDecoding = getattr(params, KEY)
    return value
