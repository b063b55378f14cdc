"""Decode, resize and crop images once per preprocessing configuration.

The output is uint8 (n, 3, S, S): exactly the pixels a model sees before mean/std
normalisation, which extraction applies per model (so models with the same geometry share
one preprocessed copy).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from analysis.config import Preprocessing, ZooEntry
from analysis.errors import InputError


def make_transform(cfg: Preprocessing):
    """timm's eval transform for the geometry in ``cfg``, without normalisation."""
    import timm.data  # imported where used (2.7 s with torchvision: see analysis.nets.zoo)
    return timm.data.create_transform(
        input_size=(3, cfg.input_size, cfg.input_size), is_training=False,
        interpolation=cfg.interpolation, crop_pct=cfg.crop_pct,
        crop_mode=cfg.crop_mode, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0))


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """[0, 1] float tensor from the transform -> uint8 (exact for 8-bit inputs)."""
    return torch.round(x.clamp(0, 1) * 255).to(torch.uint8).numpy()


def preprocess_files(paths: Iterable[Path], cfg: Preprocessing) -> np.ndarray:
    """Decode image files (any mode; grayscale is replicated to RGB) -> (n, 3, S, S) uint8."""
    t = make_transform(cfg)
    out = []
    for p in paths:
        try:
            with Image.open(p) as im:
                out.append(to_uint8(t(im.convert("RGB"))))
        except OSError as exc:
            raise InputError(f"cannot decode image {p}: {exc}") from exc
    return np.stack(out)


def preprocess_arrays(images: np.ndarray | list[np.ndarray], cfg: Preprocessing) -> np.ndarray:
    """(n, H, W, 3) uint8 arrays (e.g. rows of the NSD brick, or a list of images of any
    sizes) -> (n, 3, S, S) uint8."""
    t = make_transform(cfg)
    return np.stack([to_uint8(t(Image.fromarray(im))) for im in images])


def check_model_config(model: torch.nn.Module, cfg: Preprocessing, key: str,
                       entry: ZooEntry) -> dict[str, Any]:
    """The model's data config (``mean`` and ``std`` applied at extraction): timm's, which
    must match the declared geometry; for an ONNX entry (no timm config) the zoo entry's
    ``input_mean`` / ``input_std``."""
    if entry.source == "onnx":
        assert entry.input_mean is not None and entry.input_std is not None  # ZooEntry
        return {"input_size": (3, cfg.input_size, cfg.input_size),
                "mean": tuple(entry.input_mean), "std": tuple(entry.input_std)}
    import timm.data  # imported where used (see make_transform)
    data_cfg = timm.data.resolve_model_data_config(model)
    want = {"input_size": (3, cfg.input_size, cfg.input_size),
            "interpolation": cfg.interpolation, "crop_pct": cfg.crop_pct,
            "crop_mode": cfg.crop_mode}
    diff = {k: (data_cfg.get(k), v) for k, v in want.items() if data_cfg.get(k) != v}
    if diff:
        raise InputError(f"zoo.{key}: timm's data config differs from its preprocessing entry "
                         f"(model, declared): {diff}. Add a matching entry to "
                         "params.yaml `preprocessing` and point the model at it.")
    return data_cfg
