"""Image thumbnails small enough to inline in the page: JPEG data URIs."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

#: Thumbnail edge (pixels) and JPEG quality: about 2-3 kB an image.
SIZE = 96
QUALITY = 80


def data_uri(image: np.ndarray, size: int = SIZE, quality: int = QUALITY) -> str:
    """An (H, W, 3) uint8 image resized to fit ``size`` x ``size`` pixels (aspect kept), as a
    baseline JPEG data URI. Raises ValueError for any other shape or dtype."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"a thumbnail needs an (H, W, 3) uint8 image, got {image.shape} "
                         f"{image.dtype}")
    picture = Image.fromarray(image)
    picture.thumbnail((size, size), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    picture.save(buf, format="JPEG", quality=quality, optimize=False, progressive=False)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
