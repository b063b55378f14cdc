"""Stimulus-level divergences between a brain region and a network's selective units, and the
diagnostic contrasts (Finding 5).

Profiles are standardized over images (:class:`Profile`): a region's response to an image is
the mean over its selected voxels and repetitions; a network's is the mean over its selected
units, each unit z-scored over the images first (no unit dominates by its scale). A region's
profile is divided by its *signal* SD over the images (total variance less the noise variance
of the image means, estimated from the repetitions), so measurement noise does not shrink a
brain's contrasts against a noiseless network's. A contrast is the difference of the mean
standardized response between two image groups A and B (e.g. human minus animal faces): an
effect in units of the system's own response SD over the images.

Inference:

* a network is deterministic, so its contrast varies only with the images: Welch's t-test and
  interval over images (:func:`welch`; a percentile bootstrap of the images under-covered at
  these group sizes, 76-93 % for 5-16 images per group);
* a brain's contrast generalises over subjects and images (:func:`crossed_difference` with no
  network); over subjects alone with the images fixed (:func:`subjects_test`) it answers a
  narrower question, and calls a contrast that is zero in the population of images significant
  whenever these images happen to differ;
* the brain-network difference (the interaction "brain contrast minus network contrast") has two
  random factors crossed: subjects and images. :func:`crossed_difference` estimates its variance
  from the subject-by-image table with the ANOVA (method-of-moments) components of a crossed
  random-effects model (equal to REML for balanced data when no component is negative;
  tests/test_divergence.py checks this against statsmodels' MixedLM) and Satterthwaite's degrees
  of freedom. Testing over subjects alone ignores that the images are a sample too: when the
  network's response has an image-specific part the brain lacks, such a test rejects far too
  often although brain and network share the contrast (the test shows both). Clipping a
  negative image component at 0 makes the test conservative when the images' variance is small
  (about 2 % at a nominal 5 % when it is 0).

Arrays: profiles are (n_images,) or (n_subjects, n_images); group masks are (n_images,) bool.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special, stats

from analysis.seeds import child_seed


def zscore(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """z-score over ``axis`` (population SD); all NaN where the profile is constant."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=axis, keepdims=True)
    sd = x.std(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sd > 0, (x - mean) / np.where(sd > 0, sd, 1.0), np.nan)


@dataclass(frozen=True)
class Profile:
    """A system's mean response per image (n_images,) and the noise variance of each image's
    mean (n_images,): zero for a network."""

    mean: np.ndarray
    noise: np.ndarray

    def z(self, images: np.ndarray | None = None) -> np.ndarray:
        """(n_images,) standardized with the moments of ``images`` (bool mask; all images by
        default): (x - mean) / signal SD, the signal variance being the variance over those
        images less their mean noise variance. All NaN when no signal variance is left."""
        sel = np.ones(len(self.mean), bool) if images is None else np.asarray(images)
        x = self.mean[sel]
        signal = x.var() - float(np.mean(self.noise[sel]))
        if not signal > 0:
            return np.full(len(self.mean), np.nan)
        return (self.mean - x.mean()) / np.sqrt(signal)


def unit_profile(acts: np.ndarray) -> Profile:
    """(n_images, n_units) activations -> the network's profile: each non-constant unit
    z-scored over the images, averaged over units (noise 0)."""
    acts = np.asarray(acts, dtype=np.float64)
    keep = acts.std(axis=0) > 1e-12 * (np.abs(acts).max(axis=0) + 1e-30)
    n = len(acts)
    if not keep.any():
        return Profile(np.full(n, np.nan), np.zeros(n))
    return Profile(zscore(acts[:, keep], axis=0).mean(axis=1), np.zeros(n))


def brain_profile(data: np.ndarray) -> Profile:
    """(n_images, n_voxels, n_reps) responses (NaN for a missing repetition) -> the region's
    profile: per repetition the mean over voxels, then the mean over repetitions; the noise
    variance of an image's mean is the pooled variance over repetitions (every image's
    deviations from its own mean) divided by its number of repetitions."""
    with warnings.catch_warnings():  # a repetition an image does not have: all NaN, kept NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        reps = np.nanmean(np.asarray(data, dtype=np.float64), axis=1)  # (n_images, n_reps)
    n = np.sum(np.isfinite(reps), axis=1)
    mean = np.nanmean(reps, axis=1)
    dev = np.nansum((reps - mean[:, None]) ** 2)
    dof = int(np.sum(n - 1))
    pooled = dev / dof if dof > 0 else np.nan
    return Profile(mean, pooled / n)


@dataclass(frozen=True)
class Residuals:
    """Brain regressed on network over images (ordinary least squares): the fit and each
    image's standardized residual (residual / its SD with 2 degrees of freedom used)."""

    slope: float
    intercept: float
    standardized: np.ndarray  # (n_images,)

    def divergent(self, cutoff: float) -> np.ndarray:
        """(n_images,) int: +1 brain above the network's prediction by ``cutoff`` SDs or more,
        -1 below by as much, 0 otherwise."""
        z = self.standardized
        return np.where(z >= cutoff, 1, np.where(z <= -cutoff, -1, 0))


def residuals(brain: np.ndarray, network: np.ndarray) -> Residuals:
    """OLS of ``brain`` on ``network`` ((n_images,) each, n >= 3)."""
    fit = stats.linregress(network, brain)
    resid = brain - (fit.intercept + fit.slope * network)
    sd = np.sqrt(np.sum(resid**2) / (len(resid) - 2))
    return Residuals(float(fit.slope), float(fit.intercept),
                     resid / sd if sd > 0 else np.zeros_like(resid))


def contrast(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean over images of group A minus group B, over the last axis: (..., n_images) ->
    (...)."""
    values = np.asarray(values, dtype=np.float64)
    return values[..., a].mean(axis=-1) - values[..., b].mean(axis=-1)


@dataclass(frozen=True)
class Test:
    """An estimate with its standard error, degrees of freedom, interval and two-sided p."""

    estimate: float
    se: float
    df: float
    low: float
    high: float
    p: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _t_test(estimate: float, se: float, df: float, level: float) -> Test:
    if se == 0 and estimate == 0:  # identical profiles: no difference at all
        return Test(0.0, 0.0, float(df), 0.0, 0.0, 1.0)
    if not (np.isfinite(se) and se > 0 and df > 0):
        return Test(estimate, float("nan"), float("nan"), float("nan"), float("nan"),
                    float("nan"))
    q = special.stdtrit(df, (1 + level) / 2)  # stats.t.ppf and .sf without their overhead
    p = 2 * special.stdtr(df, -abs(estimate / se))
    return Test(estimate, se, df, estimate - q * se, estimate + q * se, float(p))


def welch(values: np.ndarray, a: np.ndarray, b: np.ndarray, level: float) -> Test:
    """Welch's t-test of group A minus group B over images: estimate, SE, Welch-Satterthwaite
    df, interval and two-sided p."""
    va, vb = values[a], values[b]
    res = stats.ttest_ind(va, vb, equal_var=False)
    se = float(np.sqrt(va.var(ddof=1) / len(va) + vb.var(ddof=1) / len(vb)))
    return _t_test(float(va.mean() - vb.mean()), se, float(res.df), level)


def subjects_test(per_subject: np.ndarray, level: float) -> Test:
    """One-sample t-test over subjects of per-subject contrasts (n_subjects,) (the brain's
    contrast with subjects as the unit of inference)."""
    x = np.asarray(per_subject, dtype=np.float64)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return _t_test(float(np.mean(x)) if len(x) else float("nan"), float("nan"), 0, level)
    return _t_test(float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))), len(x) - 1, level)


def crossed_difference(brain: np.ndarray, network: np.ndarray | None, a: np.ndarray,
                       b: np.ndarray, level: float) -> Test:
    """The brain's contrast (mean over subjects) minus the network's, with subjects and images
    as crossed random factors.

    ``brain`` (n_subjects, n_images) standardized profiles; ``network`` (n_images,) or None (then
    the brain's contrast itself, generalising over subjects and images). With E = brain -
    network and contrast weights w (1/n_A on A, -1/n_B on B), the estimate is mean_s sum_i w_i
    E_si and its variance var_s(D_s)/S + sum_g s2_img,g / n_g, where D_s is subject s's
    difference (its spread holds the subject-by-contrast variance and the residual) and
    s2_img,g = (MS_images,g - MS_residual,g) / S the image variance of group g from the
    two-way table of group g (clipped at 0). Satterthwaite degrees of freedom. One subject:
    Welch's test over images."""
    if np.any(a & b):
        raise ValueError("groups A and B share images; a contrast needs disjoint groups")
    brain = np.atleast_2d(np.asarray(brain, dtype=np.float64))
    e = brain - (0.0 if network is None else np.asarray(network, dtype=np.float64)[None, :])
    n_subj = e.shape[0]
    groups = [(np.flatnonzero(a), 1.0), (np.flatnonzero(b), -1.0)]
    if min(len(g) for g, _ in groups) < 2:
        return _t_test(float("nan"), float("nan"), 0, level)
    d_s = sum(sign * e[:, g].mean(axis=1) for g, sign in groups)
    estimate = float(np.mean(d_s))
    if n_subj == 1:
        terms = [(e[0, g].var(ddof=1) / len(g), len(g) - 1) for g, _ in groups]
    else:
        terms = [(d_s.var(ddof=1) / n_subj, n_subj - 1)]
        for g, _ in groups:
            t = e[:, g]
            ms_img = n_subj * t.mean(axis=0).var(ddof=1)
            resid = t - t.mean(axis=1, keepdims=True) - t.mean(axis=0, keepdims=True) + t.mean()
            ms_res = np.sum(resid**2) / ((n_subj - 1) * (len(g) - 1))
            if ms_img > ms_res:
                k = n_subj * len(g)
                terms += [(ms_img / k, len(g) - 1), (-ms_res / k, (n_subj - 1) * (len(g) - 1))]
    var = sum(v for v, _ in terms)
    df = var**2 / sum(v**2 / d for v, d in terms) if var > 0 else 0.0
    return _t_test(estimate, float(np.sqrt(var)), float(df), level)


def image_part(ids: np.ndarray, share: float, seed: int) -> np.ndarray:
    """(n,) bool: whether each image id is in the discovery part. Decided per image from a hash
    of (seed, id), so an image's part does not depend on which other images are in the set."""
    u = np.array([child_seed(seed, "image-part", str(int(i))) for i in ids], dtype=np.float64)
    return u / 2.0**32 < share


def pair_enrichment(residual: np.ndarray, flags: np.ndarray, a: np.ndarray, b: np.ndarray
                    ) -> dict[str, float]:
    """How a label pair goes with the divergence, over the images of the pair (A or B; so a
    label is not confounded with its category): mean standardized residual of A minus B
    (Welch), and for each direction of divergence (brain above / below the network) the odds
    ratio of A against B among divergent images (Fisher's exact test, one-sided 'more')."""
    out: dict[str, float] = {"n_a": int(a.sum()), "n_b": int(b.sum())}
    if a.sum() >= 2 and b.sum() >= 2:
        test = welch(residual, a, b, 0.95)
        out["residual_difference"], out["p"] = test.estimate, test.p
        out["t"] = test.estimate / test.se if test.se > 0 else float("nan")
    else:
        out["residual_difference"] = out["t"] = out["p"] = float("nan")
    for name, sign in (("brain_above", 1), ("brain_below", -1)):
        div = flags == sign
        table = [[int((div & a).sum()), int((~div & a).sum())],
                 [int((div & b).sum()), int((~div & b).sum())]]
        res = stats.fisher_exact(table, alternative="greater")
        out[f"{name}_n_a"], out[f"{name}_n_b"] = table[0][0], table[1][0]
        out[f"{name}_odds"] = float(res.statistic)
        out[f"{name}_p"] = float(res.pvalue)
    return out


def rdm_group_separation(rdm: np.ndarray, a: np.ndarray, b: np.ndarray, others: np.ndarray
                         ) -> dict[str, float]:
    """How a square RDM (n, n) separates groups A and B (e.g. human vs animal faces): mean
    dissimilarity between A and B minus the mean within A and within B ('separation'), the same
    for A∪B against ``others`` ('category_separation'), and their ratio (0: A and B are treated
    alike; 1: as distinct as the category is from the rest)."""
    def mean_between(x: np.ndarray, y: np.ndarray) -> float:
        return float(rdm[np.ix_(x, y)].mean())

    def mean_within(x: np.ndarray) -> float:
        ix = np.flatnonzero(x)
        block = rdm[np.ix_(ix, ix)]
        return float(block[np.triu_indices(len(ix), 1)].mean())

    within = (mean_within(a) + mean_within(b)) / 2
    sep = mean_between(a, b) - within
    faces = a | b
    cat = mean_between(faces, others) - mean_within(faces)
    return {"between": mean_between(a, b), "within": within, "separation": sep,
            "category_separation": cat, "ratio": sep / cat if cat > 0 else float("nan")}
