"""Out-of-domain linear decoding with unit-count matching (after the primate-IT vs ANN
out-of-domain decoding paper, section 2 and appendix B).

A ridge classifier is fitted on one system's responses to images of one domain and, without
refitting, tested on held-out images of the same domain (in-domain) and of every other domain
(out-of-domain, OOD), scored as 2-alternative-forced-choice (2AFC) accuracy (chance 0.5). A
network's units are then subsampled to the count whose in-domain accuracy matches a brain
population's, and the matched populations' OOD accuracies are compared.

Inputs are ``features`` (n_rows, n_channels) float — one row per image in one domain — and a
``table`` with one row per feature row and columns ``base`` (the base image the row is a
transform of), ``domain`` and ``label`` (int class in [0, n_classes)). Here the domains are
transforms of the same base images, so splits are drawn over *bases*: no test, in-domain or OOD,
sees any transform of a training image. Every domain is tested on the same held-out test bases
(a paired design: the OOD - in-domain difference compares the same base images); setting
``n_test = n_bases - n_train`` tests on every non-training base.

Beyond the matched populations (the paper's Fig 3E and B.3): mean OOD accuracy against the
population size with units expressed in site-equivalents (units / units-per-site of the match),
the neural curve fitted by ``y = a ln(sites) + b`` and extrapolated, and the gap between a
network's full layer and the extrapolated neural population of as many site-equivalents, with
the units-per-site scaling determined at several neural population sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from analysis.errors import InputError

#: Ridge penalties searched by efficient leave-one-out cross-validation.
ALPHAS = np.logspace(-2, 5, 15)
#: One split: (training bases, test bases), each a 1-D array of base ids.
Split = tuple[np.ndarray, np.ndarray]


def two_afc(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(n,) per test image, the share of its C - 1 target-distractor trials won: the true
    class's score above the distractor's counts 1, a tie 1/2. ``scores`` (n, C) per class,
    ``labels`` (n,) int in [0, C). The mean is the 2AFC accuracy (chance 0.5).

    The paper converts class probabilities into 2AFC choices; ridge decision scores are, per
    image, a monotone transform of softmax probabilities over the same scores, so the choices
    are the same."""
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels)
    if scores.ndim != 2 or scores.shape[1] < 2 or labels.shape != (scores.shape[0],):
        raise InputError(f"two_afc needs scores (n, C >= 2) and labels (n,); got scores "
                         f"{scores.shape} and labels {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min(initial=0) < 0 \
            or labels.max(initial=0) >= scores.shape[1]:
        raise InputError(f"two_afc labels must be ints in [0, {scores.shape[1]}); map class "
                         "names to ints first (analysis.io.ood_neural.table_for)")
    target = scores[np.arange(len(labels)), labels][:, None]
    wins = np.sum(scores < target, axis=1)
    ties = np.sum(scores == target, axis=1) - 1  # the target ties with itself
    return (wins + 0.5 * ties) / (scores.shape[1] - 1)


def fit_decoder(x_train: np.ndarray, y_train: np.ndarray,
                alphas: np.ndarray = ALPHAS) -> Pipeline:
    """A ridge classifier on ``x_train`` (n, n_channels) standardised with the training rows'
    mean and SD (a constant channel becomes 0 and gets weight 0), labels ``y_train`` (n,) int;
    the penalty is chosen among ``alphas`` by efficient leave-one-out cross-validation
    (scikit-learn's default for RidgeClassifierCV: squared error on the +-1 class codes), with
    a fitted intercept, as in the paper's appendix B. The scaler is fitted on all training rows
    before the leave-one-out search. Scores: ``decision_function``."""
    model = make_pipeline(StandardScaler(),
                          RidgeClassifierCV(alphas=np.asarray(alphas), fit_intercept=True))
    return model.fit(x_train, y_train)


def class_scores(decoder: Pipeline, x: np.ndarray) -> np.ndarray:
    """(n, C) decision scores of a fitted decoder, one column per class in ``classes_`` order
    (for two classes, scikit-learn's single score s becomes columns (-s, s))."""
    s = decoder.decision_function(x)
    return np.column_stack([-s, s]) if s.ndim == 1 else s


def _quotas(n: int, room: np.ndarray, names: np.ndarray, rng: np.random.Generator,
            what: str) -> np.ndarray:
    """(n_classes,) int: n split evenly over the classes, the remainder to classes drawn at
    random among those with bases to spare (room: (n_classes,) bases still available)."""
    per, extra = divmod(n, len(names))
    spare = np.flatnonzero(room > per)
    if np.any(room < per) or len(spare) < extra:
        short = int(np.argmin(room))
        raise InputError(f"class {names[short]} has {room[short]} base image(s) left for "
                         f"{n} {what} bases over {len(names)} classes ({per}-{per + 1} per "
                         "class); lower n_train / n_test or add images of that class")
    q = np.full(len(names), per)
    q[rng.choice(spare, extra, replace=False)] += 1
    return q


def draw_split(base_ids: np.ndarray, classes: np.ndarray, n_train: int, n_test: int,
               rng: np.random.Generator) -> Split:
    """Training and test bases, disjoint and sorted, stratified by class: ``n_train`` (and
    then ``n_test``) split evenly over the classes, the remainder to random classes with bases
    to spare. ``base_ids`` (n_bases,) unique, ``classes`` (n_bases,) their classes."""
    base_ids = np.asarray(base_ids)
    classes = np.asarray(classes)
    if len(np.unique(base_ids)) != len(base_ids) or classes.shape != base_ids.shape:
        raise InputError("draw_split needs unique base ids and one class per base")
    names, index = np.unique(classes, return_inverse=True)
    counts = np.bincount(index, minlength=len(names))
    if n_train < len(names) or n_test < 1:
        raise InputError(f"n_train={n_train} must be at least the number of classes "
                         f"({len(names)}) and n_test={n_test} at least 1")
    if counts.min() < 2:
        raise InputError(f"class {names[np.argmin(counts)]} has {counts.min()} base "
                         "image(s); each class needs one to train on and one to test on")
    q_train = _quotas(n_train, counts, names, rng, "training")
    q_test = _quotas(n_test, counts - q_train, names, rng, "test")
    train, test = [], []
    for c in range(len(names)):
        picked = rng.permutation(base_ids[index == c])
        train.append(picked[:q_train[c]])
        test.append(picked[q_train[c]:q_train[c] + q_test[c]])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _checked_table(features: np.ndarray, table: pd.DataFrame, train_domain: str) -> int:
    """Validate the decoding inputs; returns the number of classes (max label + 1)."""
    missing = {"base", "domain", "label"} - set(table.columns)
    if missing:
        raise InputError(f"decoding table lacks column(s) {sorted(missing)}; it needs base, "
                         "domain and label (int class), one row per feature row")
    if features.ndim != 2 or features.shape[0] != len(table):
        raise InputError(f"features {features.shape} and a table of {len(table)} rows: pass "
                         "(n_rows, n_channels) features with one table row per feature row")
    if not np.isfinite(features).all():
        raise InputError("features contain NaN or inf; drop or impute those channels first")
    if train_domain not in set(table["domain"]):
        raise InputError(f"training domain {train_domain!r} is not in the table's domains "
                         f"({', '.join(map(str, pd.unique(table['domain'])))})")
    labels = table["label"].to_numpy()
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise InputError("table column label must hold ints >= 0; map class names with "
                         "analysis.io.ood_neural.table_for")
    if table.duplicated(["domain", "base"]).any():
        first = table[table.duplicated(["domain", "base"])].iloc[0]
        raise InputError(f"base {first['base']} appears twice in domain {first['domain']!r};"
                         " each domain holds one transform of each base image")
    if (table.groupby("base")["label"].nunique() > 1).any():
        raise InputError("a base image carries different labels in different domains; "
                         "fix the labels table (a base keeps its class in every domain)")
    return int(labels.max()) + 1


def draw_splits(table: pd.DataFrame, train_domain: str, n_splits: int, n_train: int,
                n_test: int, rng: np.random.Generator) -> list[Split]:
    """``n_splits`` independent :func:`draw_split` s over the training domain's bases."""
    rows = table[table["domain"] == train_domain]
    if rows.empty:
        raise InputError(f"training domain {train_domain!r} has no rows in the table")
    return [draw_split(rows["base"].to_numpy(), rows["label"].to_numpy(), n_train, n_test, rng)
            for _ in range(n_splits)]


@dataclass(frozen=True)
class _Plan:
    """Row positions of one split: training rows and each domain's test rows."""

    train: np.ndarray
    tests: dict[str, np.ndarray]


def _plans(table: pd.DataFrame, train_domain: str, splits: list[Split],
           n_classes: int) -> list[_Plan]:
    domain = table["domain"].to_numpy()
    base = table["base"].to_numpy()
    labels = table["label"].to_numpy()
    plans = []
    for k, (train_bases, test_bases) in enumerate(splits):
        shared = np.intersect1d(train_bases, test_bases)
        if shared.size:
            raise InputError(f"split {k}: base {shared[0]} is both a training and a test "
                             "base; a test would see a transform of a training image "
                             "(draw splits with draw_split)")
        train = np.flatnonzero((domain == train_domain) & np.isin(base, train_bases))
        absent = np.setdiff1d(np.arange(n_classes), labels[train])
        if absent.size:
            raise InputError(f"split {k}: no training image of class {absent[0]}; draw "
                             "stratified splits with draw_split")
        in_test = np.isin(base, test_bases)
        plans.append(_Plan(train, {d: np.flatnonzero(in_test & (domain == d))
                                   for d in pd.unique(domain)}))
    return plans


def _run(features: np.ndarray, labels: np.ndarray, plans: list[_Plan], train_domain: str,
         alphas: np.ndarray) -> list[dict]:
    rows = []
    for k, plan in enumerate(plans):
        decoder = fit_decoder(features[plan.train], labels[plan.train], alphas)
        tested = np.concatenate(list(plan.tests.values()))
        acc = two_afc(class_scores(decoder, features[tested]), labels[tested])
        ends = np.cumsum([len(t) for t in plan.tests.values()])
        for d, part in zip(plan.tests, np.split(acc, ends[:-1]), strict=True):
            rows.append({"split": k, "domain": d, "in_domain": d == train_domain,
                         "accuracy": float(part.mean()) if part.size else np.nan,
                         "n_test": int(part.size)})
    return rows


def decode(features: np.ndarray, table: pd.DataFrame, train_domain: str,
           splits: list[Split], alphas: np.ndarray = ALPHAS) -> pd.DataFrame:
    """One row per split and domain: split, domain, in_domain (bool), accuracy (mean 2AFC over
    the domain's rows on the split's test bases; NaN if it has none) and n_test (those rows).
    The decoder is fitted on the training domain's rows of the split's training bases."""
    features = np.asarray(features, dtype=float)
    n_classes = _checked_table(features, table, train_domain)
    plans = _plans(table, train_domain, splits, n_classes)
    return pd.DataFrame(_run(features, table["label"].to_numpy(), plans, train_domain, alphas))


def count_grid(n_units_max: int, n_counts: int, min_count: int = 1) -> np.ndarray:
    """Up to ``n_counts`` unique unit counts, log-spaced from ``min_count`` to
    ``n_units_max`` (rounded to integers, so fewer where small counts collide)."""
    if not 1 <= min_count <= n_units_max or n_counts < 1:
        raise InputError(f"count_grid needs 1 <= min_count ({min_count}) <= n_units_max "
                         f"({n_units_max}) and n_counts ({n_counts}) >= 1")
    return np.unique(np.rint(np.geomspace(min_count, n_units_max, n_counts)).astype(int))


def unit_curve(features: np.ndarray, table: pd.DataFrame, train_domain: str,
               splits: list[Split], counts: np.ndarray, draws: int,
               rng: np.random.Generator, alphas: np.ndarray = ALPHAS) -> pd.DataFrame:
    """Accuracy against the number of units: for each count and each of ``draws`` random unit
    subsets (without replacement), :func:`decode` on every split. Columns: count, draw, split,
    domain, in_domain, accuracy, n_test."""
    features = np.asarray(features, dtype=float)
    n_classes = _checked_table(features, table, train_domain)
    counts = np.asarray(counts)
    if np.any(counts < 1) or np.any(counts > features.shape[1]):
        raise InputError(f"unit counts must lie in [1, {features.shape[1]}] (the number of "
                         f"channels); got {counts.tolist()}")
    plans = _plans(table, train_domain, splits, n_classes)
    labels = table["label"].to_numpy()
    rows = []
    for count in counts:
        for draw in range(draws):
            units = np.sort(rng.choice(features.shape[1], int(count), replace=False))
            for row in _run(features[:, units], labels, plans, train_domain, alphas):
                rows.append({"count": int(count), "draw": draw, **row})
    return pd.DataFrame(rows)


def in_domain_curve(curve: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The (counts, mean in-domain accuracy over draws and splits) of a :func:`unit_curve`."""
    mean = curve[curve["in_domain"]].groupby("count")["accuracy"].mean()
    return mean.index.to_numpy(), mean.to_numpy()


def matched_count(counts: np.ndarray, accuracy_at_count: np.ndarray, target: float) -> float:
    """The unit count at which the in-domain accuracy curve first reaches ``target``.

    ``counts`` (k,) increasing; ``accuracy_at_count`` (k,) mean accuracy at each. The curve is
    made monotone non-decreasing with a running maximum (sampling noise can make it dip), then
    interpolated linearly in log(count) between the last count below and the first count at or
    above the target. Returns the smallest count when the curve is already at or above the
    target there (an upper bound on the matched count) and NaN when it never reaches it (report
    "not reached")."""
    counts = np.asarray(counts, dtype=float)
    acc = np.maximum.accumulate(np.asarray(accuracy_at_count, dtype=float))
    if counts.ndim != 1 or acc.shape != counts.shape or np.any(np.diff(counts) <= 0):
        raise InputError("matched_count needs increasing counts and one accuracy per count")
    reached = np.flatnonzero(acc >= target)
    if reached.size == 0:
        return float("nan")
    i = reached[0]
    if i == 0:
        return float(counts[0])
    frac = (target - acc[i - 1]) / (acc[i] - acc[i - 1])
    log_n = np.log(counts[i - 1]) + frac * (np.log(counts[i]) - np.log(counts[i - 1]))
    return float(np.exp(log_n))


def matched_ood(features: np.ndarray, table: pd.DataFrame, train_domain: str,
                splits: list[Split], n_matched: float, draws: int,
                rng: np.random.Generator, alphas: np.ndarray = ALPHAS) -> pd.DataFrame:
    """Every domain's accuracy with populations of the matched size, ``n_matched`` rounded to
    the nearest integer (halves up; at least 1): ``draws`` random unit subsets, each decoded
    on every split. Columns: n_units, draw, split, domain, in_domain, accuracy, n_test."""
    if not np.isfinite(n_matched):
        raise InputError("the matched unit count is NaN: the network's in-domain accuracy "
                         "never reached the target; report 'not reached' instead")
    n_units = max(1, int(np.floor(n_matched + 0.5)))
    out = unit_curve(features, table, train_domain, splits, np.array([n_units]), draws, rng,
                     alphas)
    return out.rename(columns={"count": "n_units"})


def ood_by_count(curve: pd.DataFrame) -> pd.DataFrame:
    """Mean out-of-domain accuracy against the number of units of a :func:`unit_curve`: each
    OOD domain's mean over draws and splits, then the mean and SD (ddof 1) over domains.
    Columns: count, mean, sd, n_domains; one row per count, increasing."""
    ood = curve[~curve["in_domain"]]
    per_domain = ood.groupby(["count", "domain"])["accuracy"].mean()
    out = per_domain.groupby(level="count").agg(["mean", "std", "size"])
    return out.rename(columns={"std": "sd", "size": "n_domains"}).reset_index()


@dataclass(frozen=True)
class LogFit:
    """``y = a ln(x) + b`` fitted by least squares on (x_min..x_max, n_points points); r2 is
    the coefficient of determination on those points."""

    a: float
    b: float
    r2: float
    x_min: float
    x_max: float
    n_points: int

    def at(self, x: np.ndarray | float) -> np.ndarray:
        """The fitted value at ``x`` (> 0; any shape), extrapolated beyond [x_min, x_max]
        without clipping (a 2AFC accuracy above 1 means the logarithm no longer holds)."""
        return self.a * np.log(np.asarray(x, dtype=float)) + self.b


def log_fit(x: np.ndarray, y: np.ndarray) -> LogFit:
    """Least squares ``y = a ln(x) + b`` (the paper's extrapolation of the neural population's
    accuracy over the number of sites). ``x`` (n,) > 0 (sites), ``y`` (n,) accuracies; needs
    two distinct x values."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError(f"log_fit needs finite 1-D x and y of one length; got {x.shape} and "
                         f"{y.shape}")
    if np.any(x <= 0) or len(np.unique(x)) < 2:
        raise InputError("log_fit needs x > 0 (population sizes) with at least 2 distinct "
                         "values")
    design_matrix = np.column_stack([np.log(x), np.ones_like(x)])
    (a, b), *_ = np.linalg.lstsq(design_matrix, y, rcond=None)
    resid = y - design_matrix @ np.array([a, b])
    total = np.sum((y - y.mean()) ** 2)
    r2 = 1.0 - np.sum(resid**2) / total if total > 0 else float("nan")
    return LogFit(float(a), float(b), float(r2), float(x.min()), float(x.max()), len(x))


def site_equivalents(units: np.ndarray | float, units_per_site: float) -> np.ndarray:
    """Unit counts in neural sites: ``units / units_per_site`` (the network's units that
    reach one site's share of the neural in-domain accuracy; NaN when it never did)."""
    return np.asarray(units, dtype=float) / units_per_site


def scaling_sweep(site_counts: np.ndarray, neural_in_domain: pd.Series,
                  counts: np.ndarray, accuracy_at_count: np.ndarray, n_units: int,
                  ood_all: float, fit: LogFit) -> pd.DataFrame:
    """The paper's Fig B.3 for one network: for each neural population size in
    ``site_counts``, the network's units-per-site scaling from the match to that population's
    in-domain accuracy, its full layer (``n_units`` units, mean OOD accuracy ``ood_all``) in
    site-equivalents, the neural OOD accuracy extrapolated there by ``fit`` (capped at 1, the
    largest 2AFC accuracy: the logarithm cannot hold beyond it), and the gap (network −
    extrapolated neural).

    ``neural_in_domain``: mean in-domain accuracy indexed by site count (must hold every
    ``site_counts`` entry); ``counts``, ``accuracy_at_count``: the network's in-domain curve
    (see :func:`matched_count`). Columns: n_sites, target, matched_units,
    resolution_limited (the match lies below 2 units, where the curve has no integer step),
    units_per_site, site_equiv_all, model_ood_all, neural_ood_extrapolated, at_ceiling (the
    fit passed 1 there: the gap is then the network's distance from perfect accuracy), gap;
    NaN from matched_units on when the network never reaches the target."""
    missing = [int(n) for n in site_counts if n not in neural_in_domain.index]
    if missing:
        raise InputError(f"scaling_sweep: no neural in-domain accuracy at {missing} sites; "
                         "include these counts in the neural unit curve")
    rows = []
    for n_sites in site_counts:
        target = float(neural_in_domain.loc[n_sites])
        matched = matched_count(counts, accuracy_at_count, target)
        per_site = matched / n_sites
        equiv = float(site_equivalents(n_units, per_site))
        raw = float(fit.at(equiv)) if np.isfinite(equiv) else float("nan")
        extrapolated = min(raw, 1.0) if np.isfinite(raw) else raw
        rows.append({"n_sites": int(n_sites), "target": target, "matched_units": matched,
                     "resolution_limited": bool(matched < 2), "units_per_site": per_site,
                     "site_equiv_all": equiv, "model_ood_all": float(ood_all),
                     "neural_ood_extrapolated": extrapolated, "at_ceiling": bool(raw > 1.0),
                     "gap": float(ood_all) - extrapolated})
    return pd.DataFrame(rows)


def domain_means(results: pd.DataFrame) -> pd.Series:
    """Mean accuracy per out-of-domain domain (over splits and draws), in the results' order
    of domains: the (n_domains,) sample that :func:`reference_tests` compares."""
    ood = results[~results["in_domain"]]
    return ood.groupby("domain", sort=False)["accuracy"].mean()


@dataclass(frozen=True)
class TTests:
    """Two-sided two-sample t-tests of mean OOD accuracy over domains (model - neural)."""

    difference: float
    t: float
    df: float
    p: float
    welch_t: float
    welch_df: float
    welch_p: float


def reference_tests(model_ood: np.ndarray, neural_ood: np.ndarray) -> TTests:
    """The paper's test: model vs neural mean OOD accuracy, each (n_domains,) per-domain
    accuracies, as a two-sided two-sample t-test with equal variances (Student), plus Welch's
    unequal-variance version. Domains are treated as independent samples, as in the paper,
    although both systems are tested on the same domains."""
    a = np.asarray(model_ood, dtype=float)
    b = np.asarray(neural_ood, dtype=float)
    if a.ndim != 1 or b.ndim != 1 or min(a.size, b.size) < 2 or not (
            np.isfinite(a).all() and np.isfinite(b).all()):
        raise InputError("reference_tests needs two 1-D arrays of >= 2 finite per-domain "
                         "accuracies; drop domains without test images first")
    student = stats.ttest_ind(a, b, equal_var=True)
    welch = stats.ttest_ind(a, b, equal_var=False)
    return TTests(float(a.mean() - b.mean()), float(student.statistic), float(student.df),
                  float(student.pvalue), float(welch.statistic), float(welch.df),
                  float(welch.pvalue))


@dataclass(frozen=True)
class Friedman:
    """Friedman chi-square test over domains; NaN with a reason when it cannot be run."""

    chi2: float
    p: float
    n_blocks: int
    n_domains: int
    reason: str = ""


def domain_test(deltas: np.ndarray) -> Friedman:
    """Do the model - neural accuracy differences depend on the domain? ``deltas``
    (n_blocks, n_domains): blocks are models. Friedman's
    chi-square over domains; needs >= 2 blocks and >= 3 domains, otherwise NaNs and a reason."""
    deltas = np.asarray(deltas, dtype=float)
    if deltas.ndim != 2 or not np.isfinite(deltas).all():
        raise InputError(f"domain_test needs finite deltas (n_blocks, n_domains); got shape "
                         f"{deltas.shape}")
    n_blocks, n_domains = deltas.shape
    if n_blocks < 2 or n_domains < 3:
        return Friedman(np.nan, np.nan, n_blocks, n_domains,
                        f"Friedman's test needs >= 2 blocks and >= 3 domains, got {n_blocks} "
                        f"and {n_domains}")
    res = stats.friedmanchisquare(*deltas.T)
    return Friedman(float(res.statistic), float(res.pvalue), n_blocks, n_domains)
