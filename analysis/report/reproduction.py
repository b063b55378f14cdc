"""Compare the compendium's human-human similarities with the paper's published values."""

from __future__ import annotations

import pandas as pd


def reproduction(hh: pd.DataFrame, reference: dict) -> pd.DataFrame:
    """hh: results/robustness/hh_paper_distance.csv (HH per region, measure and threshold,
    with the paper's correlation distance: like with like); reference:
    data/published_reference.yaml. One row per region, measure and threshold."""
    rows = []
    for measure, regions in reference["human_human"].items():
        for roi, by_t in regions.items():
            for t, published in by_t.items():
                mine = hh[(hh["roi"] == roi) & (hh["measure"] == measure) &
                          (hh["threshold"] == float(t))]["hh"]
                value = float(mine.iloc[0]) if len(mine) else float("nan")
                rows.append({"roi": roi, "measure": measure, "threshold": float(t),
                             "compendium": value, "published": float(published),
                             "difference": value - float(published)})
    return pd.DataFrame(rows)
