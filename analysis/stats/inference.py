"""Tests of human-human (HH) versus human-network (HN) similarity.

Human-human similarities of different subjects share subjects, so per-subject means are not
independent and a paired t-test across all subjects is anti-conservative (tests/
test_comparison.py measures this). The inference is therefore:

1. **Bootstrap over images and subjects** (primary; comparison.bootstrap_gap): the 95%
   percentile interval of the gap (mean corrected HH - mean corrected HN) and the two-sided
   bootstrap p-value 2 min(P(gap* <= 0), P(gap* >= 0)) with (count + 1) / (B + 1).
2. **Paired t-test on disjoint subject pairs** (pingouin.ttest, paired=True, two-sided):
   subjects sorted and paired (1,2), (3,4), ...; each pair gives one independent HH value (the
   pair's corrected similarity) and one HN value (mean over networks and the pair's two
   subjects). With 8 subjects df = 3. Cohen's d from pingouin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg


def disjoint_pairs(sim: pd.DataFrame) -> pd.DataFrame:
    """One HH and one HN value per disjoint subject pair and measure.

    sim: a pair table (analysis.stats.comparison.pair_table). Columns: measure, pair, hh, hn.
    """
    hh = sim[sim["kind"] == "hh"]
    hn = sim[sim["kind"] == "hn"]
    subjects = sorted(set(hh["a_subject"]) | set(hh["b_subject"]))
    pairs = [(subjects[i], subjects[i + 1]) for i in range(0, len(subjects) - 1, 2)]
    rows = []
    for measure in sim["measure"].unique():
        for s, t in pairs:
            h = hh[(hh["measure"] == measure) & (hh["a_subject"] == s) &
                   (hh["b_subject"] == t)]["r_corrected"]
            n = hn[(hn["measure"] == measure) & hn["a_subject"].isin([s, t])]["r_corrected"]
            if len(h) and len(n):
                rows.append({"measure": measure, "pair": f"{s}-{t}", "hh": float(h.iloc[0]),
                             "hn": float(n.mean())})
    return pd.DataFrame(rows, columns=["measure", "pair", "hh", "hn"])


PAIR_TEST_COLUMNS = ["measure", "n_pairs", "t", "df", "p_t", "cohen_d"]


def pair_tests(pairs: pd.DataFrame) -> pd.DataFrame:
    """Two-sided paired t-test of HH against HN over disjoint pairs, per measure.

    Columns PAIR_TEST_COLUMNS (no rows when there are no pairs); NaN statistics for a measure
    with fewer than 2 pairs or no variation in HH - HN."""
    rows = []
    for measure, g in pairs.groupby("measure", sort=False):
        row = {"measure": measure, "n_pairs": len(g), "t": np.nan, "df": np.nan,
               "p_t": np.nan, "cohen_d": np.nan}
        if len(g) >= 2 and np.ptp(g["hh"] - g["hn"]) > 0:
            t = pg.ttest(g["hh"], g["hn"], paired=True)
            row.update({"t": float(t["T"].iloc[0]), "df": float(t["dof"].iloc[0]),
                        "p_t": float(t["p_val"].iloc[0]), "cohen_d": float(t["cohen_d"].iloc[0])})
        rows.append(row)
    return pd.DataFrame(rows, columns=PAIR_TEST_COLUMNS)


def bootstrap_summary(samples: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Percentile interval and two-sided bootstrap p-value of a gap's bootstrap samples, and
    the smallest p the bootstrap can give, 2/(B+1) (``p_boot_floor``: a p there means no
    replicate crossed zero, and is reported as 'at most')."""
    s = np.asarray(samples, dtype=float)
    s = s[np.isfinite(s)]
    if len(s) == 0:  # no replicate had a gap (e.g. a network without a profile)
        return {"ci_low": float("nan"), "ci_high": float("nan"), "p_boot": float("nan"),
                "n_boot": 0, "p_boot_floor": float("nan")}
    lo, hi = np.percentile(s, [50 * (1 - level), 50 * (1 + level)])
    below = (np.sum(s <= 0) + 1) / (len(s) + 1)
    above = (np.sum(s >= 0) + 1) / (len(s) + 1)
    return {"ci_low": float(lo), "ci_high": float(hi),
            "p_boot": float(min(1.0, 2 * min(below, above))), "n_boot": int(len(s)),
            "p_boot_floor": float(min(1.0, 2 / (len(s) + 1)))}
