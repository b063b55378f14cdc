"""Face-selectivity metrics of the metrics-consistency study (Lado & Dobs).

Each metric takes responses to face images ``face`` (n_face, n) and to non-face images
``other`` (n_other, n) — units or kernel summaries in columns — and returns a continuous value
and a selective/not decision:

* FSI = (R_f - R_o) / (R_f + R_o) with R the mean responses; selective if FSI > 0.3
  (0.3 ~ responses about twice as strong to faces, 1/3 exactly). FSI is a ratio of firing
  rates: it needs non-negative responses (post-activation, as Lado & Dobs read them after the
  ReLU; the extraction stores rectified responses, zoo.yaml `response`) and refuses signed
  ones, on which it calls a third of pure-noise units face-selective (tests). FSI = 0 when
  both means are 0 (a silent unit), so the index stays in [-1, 1].
* d' = (mu_f - mu_o) / sqrt((var_f + var_o) / 2) (ddof=1); selective if d' > 0.65.
* Wilcoxon rank-sum (Mann-Whitney U, one-sided faces > others); continuous value AUC =
  U / (n_f n_o); selective if p < 0.001.
* Pairwise t-tests: one-sided Welch t of faces against each non-face category, Benjamini-
  Hochberg FDR across units per pair; selective if significant for every category; continuous
  value the smallest of the pairwise t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.stats

from analysis.stats.localizer import pairwise_welch

FSI_CRITERION = 0.3
DPRIME_CRITERION = 0.65
RANKSUM_ALPHA = 1e-3
PAIRWISE_ALPHA = 0.05
METRICS = ("fsi", "dprime", "ranksum", "pairwise_t")


def fsi(face: np.ndarray, other: np.ndarray) -> np.ndarray:
    """FSI per column of non-negative responses face (n_face, n) and other (n_other, n)."""
    face, other = np.asarray(face, np.float64), np.asarray(other, np.float64)
    low = min(face.min(initial=0.0), other.min(initial=0.0))
    if low < 0:
        raise ValueError(f"FSI needs non-negative (post-activation) responses; the smallest "
                         f"is {low:.3g}: read rectified responses (zoo.yaml `response`)")
    f, o = face.mean(0), other.mean(0)
    total = f + o
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (f - o) / np.where(total > 0, total, 1.0), 0.0)


def dprime(face: np.ndarray, other: np.ndarray) -> np.ndarray:
    face, other = np.asarray(face, np.float64), np.asarray(other, np.float64)
    pooled = np.sqrt((face.var(0, ddof=1) + other.var(0, ddof=1)) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (face.mean(0) - other.mean(0)) / pooled
    return np.where(pooled > 0, d, np.nan)


def ranksum(face: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(AUC, one-sided p) of the Mann-Whitney U test faces > others, per column."""
    res = scipy.stats.mannwhitneyu(face, other, alternative="greater", axis=0,
                                   method="asymptotic")
    return res.statistic / (len(face) * len(other)), res.pvalue


def pairwise_t(face: np.ndarray, others: dict[str, np.ndarray], alpha: float = PAIRWISE_ALPHA
               ) -> tuple[np.ndarray, np.ndarray]:
    """(smallest pairwise t, selective) against each non-face category with BH-FDR per pair."""
    return pairwise_welch(face, others, alpha, "fdr_bh")


def all_metrics(x: np.ndarray, domains: np.ndarray, face: str = "faces",
                exclude: tuple[str, ...] = ("scrambled",)) -> pd.DataFrame:
    """Every metric for every column of x (n_images, n): values and selective flags."""
    domains = np.asarray(domains)
    keep = ~np.isin(domains, exclude)
    f = x[domains == face]
    o = x[keep & (domains != face)]
    others = {c: x[domains == c] for c in sorted(set(domains[keep])) if c != face}
    auc, p = ranksum(f, o)
    tmin, tsel = pairwise_t(f, others)
    values = pd.DataFrame({"fsi": fsi(f, o), "dprime": dprime(f, o), "ranksum": auc,
                           "pairwise_t": tmin})
    values["fsi_selective"] = values["fsi"] > FSI_CRITERION
    values["dprime_selective"] = values["dprime"] > DPRIME_CRITERION
    values["ranksum_selective"] = p < RANKSUM_ALPHA
    values["pairwise_t_selective"] = tsel
    values["ranksum_p"] = p
    return values


def consistency(values: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation between every pair of metrics' continuous values."""
    rows = []
    for i, a in enumerate(METRICS):
        for b in METRICS[i + 1:]:
            ok = values[[a, b]].notna().all(1)
            rho = scipy.stats.spearmanr(values.loc[ok, a], values.loc[ok, b]).statistic
            rows.append({"metric_a": a, "metric_b": b, "spearman": float(rho)})
    return pd.DataFrame(rows)


def equal_n(values: pd.DataFrame, minimum: int) -> tuple[int, int]:
    """(n, n_min): n_min is the smallest number of kernels any metric calls selective; decoding
    uses n = max(n_min, minimum) kernels per metric, so every metric gets the same number."""
    n_min = min(int(values[f"{metric}_selective"].sum()) for metric in METRICS)
    return max(n_min, minimum), n_min


def top_ranked(values: pd.Series, n: int) -> np.ndarray:
    """Positions of the ``n`` highest values (NaN last; ties in original order)."""
    return np.argsort(-values.fillna(-np.inf).to_numpy(), kind="stable")[:n]
