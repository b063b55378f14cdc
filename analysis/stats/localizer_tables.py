"""Tables of the unit localizers (Figure 2): selection counts, the overlap of two localizers,
and the category profile of the selected units on an independent image set.

Every function takes boolean unit masks (n_units,) and activations (n_images, n_units); masks
come from :func:`analysis.stats.selection.above` or the conjunction localizer.
"""

from __future__ import annotations

import numpy as np

from analysis.stats.standardize import zscore_columns


def count(mask: np.ndarray) -> dict[str, float]:
    """Number and percent of selected units."""
    return {"n_units": int(mask.size), "n_selected": int(mask.sum()),
            "pct_selected": 100.0 * float(mask.mean())}


def overlap(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Units selected by localizer a only, by both, by b only, and the Jaccard index
    |a & b| / |a | b| (NaN when neither selects a unit)."""
    union = int((a | b).sum())
    return {"floc_only": int((a & ~b).sum()), "both": int((a & b).sum()),
            "localizer2_only": int((~a & b).sum()),
            "jaccard": (a & b).sum() / union if union else np.nan}


def category_profile(x: np.ndarray, labels: np.ndarray, mask: np.ndarray,
                     categories: list[str]) -> dict[str, float]:
    """Mean z-scored response (units z-scored over this set) of the selected units to each
    category's images: category -> mean z. Empty when no unit is selected."""
    if not mask.any():
        return {}
    z = zscore_columns(x[:, mask])
    labels = np.asarray(labels)
    return {c: float(z[labels == c].mean()) for c in categories}
