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

Null floor (:func:`null_fractions`): the fraction of columns each metric calls face-selective
when the domain labels of the images it uses are permuted (no face information; the number of
images per domain, the units' correlations and each unit's response distribution — its
sparsity — kept). FSI has no noise model, so its floor grows with sparsity: a unit silent on
most images has a ratio of two small, noisy means, and correlated units move together, so the
floor also varies widely between permutations (tests, correlated post-ReLU-like units: floor
1 % at 40-60 % zeros, 17 % at 84-97 %, 23 % at 95-99 %, 25 % at 84-97 % with 24 images per
domain, 95th percentiles near 40 %), while d', rank-sum and pairwise t stay below 0.5 %. The
floor is the rate without any face information; it does not separate face information from
low-level differences between the domains' images, which untrained networks exceed it with.
:func:`selective_fractions` evaluates the four decisions for many labelings at once from
per-domain sums (two matrix products per chunk of columns), ranks computed once (permuting
labels does not change them) and p-values only where a test can pass; each labeling gives
exactly what :func:`all_metrics` gives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.special
import scipy.stats

from analysis.methods.localizer import pairwise_welch

FSI_CRITERION = 0.3
DPRIME_CRITERION = 0.65
RANKSUM_ALPHA = 1e-3
PAIRWISE_ALPHA = 0.05
METRICS = ("fsi", "dprime", "ranksum", "pairwise_t")
#: The upper percentile of the null floor's permutation distribution reported (pct_null_q95).
FLOOR_QUANTILE = 0.95
#: Domains the metrics leave out (fLoc's scrambled images are neither faces nor objects).
EXCLUDED = ("scrambled",)


def fsi(face: np.ndarray, other: np.ndarray) -> np.ndarray:
    """FSI per column of non-negative responses face (n_face, n) and other (n_other, n)."""
    face, other = np.asarray(face, np.float64), np.asarray(other, np.float64)
    _require_non_negative(min(face.min(initial=0.0), other.min(initial=0.0)))
    f, o = face.mean(0), other.mean(0)
    total = f + o
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (f - o) / np.where(total > 0, total, 1.0), 0.0)


def _require_non_negative(low: float) -> None:
    if low < 0:
        raise ValueError(f"FSI needs non-negative (post-activation) responses; the smallest "
                         f"is {low:.3g}: read rectified responses (zoo.yaml `response`)")


def dprime(face: np.ndarray, other: np.ndarray) -> np.ndarray:
    face, other = np.asarray(face, np.float64), np.asarray(other, np.float64)
    pooled = np.sqrt((face.var(0, ddof=1) + other.var(0, ddof=1)) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (face.mean(0) - other.mean(0)) / pooled
    return np.where(pooled > 0, d, np.nan)


def ranksum(face: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(AUC, one-sided p) of the Mann-Whitney U test faces > others, per column."""
    res = scipy.stats.mannwhitneyu(_rows(face), _rows(other), alternative="greater", axis=1,
                                   method="asymptotic")  # rows: contiguous ranking, 2x faster
    return res.statistic / (len(face) * len(other)), res.pvalue


def _rows(x: np.ndarray) -> np.ndarray:
    """(n_images, n) -> (n, n_images) C-contiguous, so each column is ranked in place."""
    return np.ascontiguousarray(np.asarray(x).T)


def pairwise_t(face: np.ndarray, others: dict[str, np.ndarray], alpha: float = PAIRWISE_ALPHA
               ) -> tuple[np.ndarray, np.ndarray]:
    """(smallest pairwise t, selective) against each non-face category with BH-FDR per pair."""
    return pairwise_welch(face, others, alpha, "fdr_bh")


def all_metrics(x: np.ndarray, domains: np.ndarray, face: str = "faces",
                exclude: tuple[str, ...] = EXCLUDED) -> pd.DataFrame:
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


def label_permutations(domains: np.ndarray, permutations: int, rng: np.random.Generator,
                       exclude: tuple[str, ...] = EXCLUDED) -> np.ndarray:
    """(permutations, n_images) labelings: the domain labels of the images the metrics use
    (all but ``exclude``) shuffled among those images; excluded images keep their label."""
    domains = np.asarray(domains)
    if permutations < 1:
        raise ValueError(f"permutations = {permutations}: the null floor needs at least one "
                         "label permutation (params.yaml metrics.null_permutations)")
    keep = ~np.isin(domains, exclude)
    out = np.tile(domains, (permutations, 1))
    out[:, keep] = rng.permuted(out[:, keep], axis=1)
    return out


def null_fractions(x: np.ndarray, domains: np.ndarray, permutations: int,
                   rng: np.random.Generator, face: str = "faces",
                   exclude: tuple[str, ...] = EXCLUDED) -> np.ndarray:
    """The null floor's distribution: (permutations, 4) fraction of the columns of x
    (n_images, n) each metric (METRICS order) calls face-selective on permuted labels."""
    return selective_fractions(x, label_permutations(domains, permutations, rng, exclude),
                               face, exclude)


def floor_summary(observed: float, null: np.ndarray) -> dict[str, float]:
    """An observed percentage against its null floor.

    observed: % of columns a metric calls selective; null: (permutations,) the same % on each
    label permutation (:func:`null_fractions` x 100). Returns the floor (``pct_null``, mean over
    permutations), its 95th percentile (``pct_null_q95``), ``pct_excess`` = observed - floor,
    and ``p_null`` = (1 + #{null >= observed}) / (1 + permutations), the permutation p of "more
    selective units than without face information" (exact under exchangeable labels).
    """
    null = np.asarray(null, np.float64)
    floor = float(null.mean())
    return {"pct_null": floor, "pct_null_q95": float(np.quantile(null, FLOOR_QUANTILE)),
            "pct_excess": observed - floor,
            "p_null": (1 + int(np.sum(null >= observed))) / (1 + len(null))}


def zero_percent(x: np.ndarray, domains: np.ndarray, exclude: tuple[str, ...] = EXCLUDED
                 ) -> float:
    """Sparsity: % of zero responses in x (n_images, n) over the images the metrics use."""
    return 100 * float(np.mean(np.asarray(x)[~np.isin(np.asarray(domains), exclude)] == 0))


def selective_fractions(x: np.ndarray, labelings: np.ndarray, face: str = "faces",
                        exclude: tuple[str, ...] = EXCLUDED) -> np.ndarray:
    """Fraction of the columns each metric calls face-selective, for many labelings at once.

    x: (n_images, n) non-negative responses; labelings: (n_labelings, n_images) the domain of
    each image in each labeling, each excluding the same images (``exclude``). Returns
    (n_labelings, 4) fractions in METRICS order, each row equal to the selective flags'
    means of :func:`all_metrics` on that labeling.
    """
    labelings = np.atleast_2d(np.asarray(labelings))
    keep = ~np.isin(labelings[0], exclude)
    if (np.isin(labelings, exclude) == keep).any():
        raise ValueError(f"every labeling must exclude the same images ({exclude}): permute "
                         "the labels among the images the metrics use (label_permutations)")
    x = np.asarray(x, np.float64)[keep]
    labelings = labelings[:, keep]
    _require_non_negative(x.min(initial=0.0))
    names = np.array([face] + sorted(set(np.unique(labelings)) - {face}))
    onehot = (labelings[:, None, :] == names[None, :, None]).astype(np.float64)
    n_lab, n = len(labelings), x.shape[1]
    counts = np.zeros((n_lab, 3))                   # FSI, d', rank-sum: selective columns
    p_pair = np.empty((n_lab, len(names) - 1, n))  # pairwise Welch p, FDR needs all columns
    step = max(1, 2**19 // (n_lab * len(names)))    # work arrays of about 4 MB
    for start in range(0, n, step):
        c, p_pair[:, :, start:start + step] = _column_tests(x[:, start:start + step], onehot)
        counts += c
    pair = np.ones((n_lab, n), dtype=bool)
    for k in range(len(names) - 1):
        pair &= bh_reject(p_pair[:, k], PAIRWISE_ALPHA)
    with np.errstate(invalid="ignore"):
        return np.column_stack([counts / n, pair.mean(1)])


def _column_tests(x: np.ndarray, onehot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The metrics of some columns under many labelings.

    x: (n_images, n) responses; onehot: (n_labelings, n_domains, n_images) domain indicators,
    the face domain first. Per-domain sums and sums of squares are two matrix products; ranks
    and the rank-sum test's tie term do not depend on the labels and are computed once.
    Returns the number of columns FSI, d' and rank-sum call selective (n_labelings, 3) and the
    one-sided Welch p of faces against each other domain (n_labelings, n_domains - 1, n).
    """
    n_lab, n_dom, n_img = onehot.shape
    flat = onehot.reshape(-1, n_img)
    count = onehot.sum(2)[:, :, None]                             # (n_lab, n_dom, 1)
    s1 = (flat @ x).reshape(n_lab, n_dom, -1)                     # per-domain sums
    s2 = (flat @ x**2).reshape(n_lab, n_dom, -1)
    mean = s1 / count
    var = np.maximum(s2 - s1 * mean, 0) / (count - 1)             # ddof=1
    n_f, n_o = count[:, 0], count[:, 1:].sum(1)
    o1, o2 = s1[:, 1:].sum(1), s2[:, 1:].sum(1)
    f, o = mean[:, 0], o1 / n_o
    var_o = np.maximum(o2 - o1 * o, 0) / (n_o - 1)
    total = f + o
    ranks = scipy.stats.rankdata(_rows(x), axis=1).T
    # sum over tie groups of t^3 - t: averaging t tied ranks lowers their sum of squares by
    # t (t^2 - 1) / 12, so it is 12 (sum of squares of 1..n - sum of squared average ranks)
    tie_term = 12 * (n_img * (n_img + 1) * (2 * n_img + 1) / 6 - (ranks**2).sum(0))
    u1 = onehot[:, 0] @ ranks - n_f * (n_f + 1) / 2
    n_all = n_f + n_o
    sd_u = np.sqrt(n_f * n_o / 12 * ((n_all + 1) - tie_term / (n_all * (n_all - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):
        fsi_v = np.where(total > 0, (f - o) / np.where(total > 0, total, 1.0), 0.0)
        pooled = np.sqrt((var[:, 0] + var_o) / 2)
        d = np.where(pooled > 0, (f - o) / pooled, np.nan)
        p_rank = scipy.special.ndtr(-((u1 - n_f * n_o / 2 - 0.5) / sd_u))  # scipy's z
    counts = np.column_stack([(fsi_v > FSI_CRITERION).sum(1), (d > DPRIME_CRITERION).sum(1),
                              (p_rank < RANKSUM_ALPHA).sum(1)])
    return counts, _welch_p(mean, var / count, count, PAIRWISE_ALPHA)


def _welch_p(mean: np.ndarray, vn: np.ndarray, count: np.ndarray, alpha: float) -> np.ndarray:
    """One-sided Welch p of the first domain > each other domain, as scipy's ttest_ind
    computes it. mean, vn (variance, ddof=1, / size): (n_lab, n_domains, n); count:
    (n_lab, n_domains, 1). Returns (n_lab, n_domains - 1, n): p is computed only where it can
    be <= alpha (t above the normal quantile; the t distribution's tail is heavier) and is 1
    elsewhere, NaN where t is undefined (equal means, both variances 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (mean[:, :1] - mean[:, 1:]) / np.sqrt(vn[:, :1] + vn[:, 1:])
    p = np.where(np.isnan(t), np.nan, 1.0)
    lab, k, col = np.nonzero(t > scipy.special.ndtri(1 - alpha))
    a, b = vn[lab, 0, col], vn[lab, k + 1, col]
    n_a, n_b = count[lab, 0, 0], count[lab, k + 1, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (a + b)**2 / (a**2 / (n_a - 1) + b**2 / (n_b - 1))
    p[lab, k, col] = scipy.special.stdtr(np.where(np.isnan(df), 1.0, df), -t[lab, k, col])
    return p


def bh_reject(p: np.ndarray, alpha: float) -> np.ndarray:
    """Benjamini-Hochberg rejections per row of p (rows, n), NaN p not tested (as
    statsmodels' multipletests 'fdr_bh' on each row's non-NaN p)."""
    m = (~np.isnan(p)).sum(1, keepdims=True)
    cand = np.where(p <= alpha, p, np.inf)       # only p <= alpha can be rejected
    k = int((cand < np.inf).sum(1).max(initial=0))
    if k == 0:
        return np.zeros(p.shape, dtype=bool)
    low = np.sort(np.partition(cand, k - 1, axis=1)[:, :k] if k < p.shape[1] else cand, axis=1)
    ok = low <= np.arange(1, k + 1) * alpha / np.maximum(m, 1)
    last = np.where(ok.any(1), k - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
    threshold = np.where(last >= 0, low[np.arange(len(p)), np.maximum(last, 0)], -np.inf)
    return p <= threshold[:, None]


def floor_numbers(pct: pd.DataFrame) -> dict:
    """The null floors for the text (percent): FSI's unit-level floor and the units' zero
    percentage, [lowest, highest] over the layers of the trained and of the untrained networks;
    FSI's highest kernel-level floor; the highest floor of the other metrics at any level; and
    how many of the percentages (model x layer x level x metric) exceed their floor's 95th
    percentile, per kind of network."""
    fsi, unit = pct["metric"] == "fsi", pct["level"] == "unit"
    out: dict[str, object] = {}
    for trained, kind in ((True, "trained"), (False, "untrained")):
        g = pct[pct["trained"] == trained]
        if g.empty:
            continue
        u = g[(g["metric"] == "fsi") & (g["level"] == "unit")]
        for key, col in (("fsi_null_units", "pct_null"), ("pct_zero_units", "pct_zero")):
            out[f"{key}_{kind}"] = [round(float(u[col].min()), 6), round(float(u[col].max()), 6)]
        out[f"n_above_floor_q95_{kind}"] = int((g["pct_selective"] > g["pct_null_q95"]).sum())
        out[f"n_percentages_{kind}"] = len(g)
    out["fsi_null_kernels_max"] = round(float(pct.loc[fsi & ~unit, "pct_null"].max()), 6)
    out["other_metrics_null_max"] = round(float(pct.loc[~fsi, "pct_null"].max()), 6)
    return out
