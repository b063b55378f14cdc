"""Finding 1's comparative test (:mod:`analysis.stats.localizer_comparative`) on simulated
worlds in which only a low-level face feature is shared by the localizer set and the second
set (the validation stage and tests/test_localizer_comparative.py).

* :func:`shared_feature_world` — one layer of several networks (network 0 plays the trained
  one, the others untrained seeds) on two image sets whose faces share a low-level feature;
  optionally category information planted in the 'trained' network.
* :func:`world_tests` (one world) and :func:`comparison_worlds` (one per generator) — per world
  and network: the p of the per-network permutation test
  (:func:`analysis.methods.localizer.permuted_selection_t`; untrained network 1 only) and of the
  comparison with the matched untrained networks
  (:func:`analysis.stats.localizer_comparative.compare_to_untrained`), for generalisation and
  top-k overlap (:func:`top_k_excess`), with two untrained seeds (the demo's case) and with
  four (the paper's).
* :func:`bootstrap_realisations` — fixed networks, new images per realisation: the difference
  between two networks and its bootstrap SD, per statistic (is the bootstrap SD right?);
  :func:`sd_ratio` pools them.
* :func:`validation_tables` — the validation stage's worlds (named streams);
  :func:`rejection_rates` and :func:`summary` — the rates and ratios the manuscript reports.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from analysis.methods.localizer import category_t, permuted_selection_t
from analysis.methods.standardize import zscore_columns
from analysis.seeds import stream
from analysis.stats.localizer_comparative import (
    compare_to_untrained,
    stratified_bootstrap_weights,
    top_k_generalisation,
)
from analysis.stats.localizer_tables import top_k_overlap

CATS = ["faces", "bodies", "places", "objects"]
#: The statistics compared with the untrained networks.
STATISTICS = ("generalisation", "overlap")
#: Untrained seeds a network is compared with: two (as the demo) and four (as the paper's five
#: seeds; an untrained network is compared with the others).
SEED_COUNTS = (2, 4)


@dataclass(frozen=True)
class LocalizerDesign:
    """A world's sizes: networks (network 0 'trained', 4 untrained), units per network, k (top-k
    units per selection), bootstrap draws of the comparison, label permutations of the
    per-network test (0: not run), the planted category information (units of network 0
    with an extra face response of ``effect``), and the bootstrap draws per realisation of the
    bootstrap-SD check (its variances are pooled over realisations, so few suffice)."""

    networks: int = 5
    n_units: int = 300
    k: int = 30
    draws: int = 30
    permutations: int = 100
    planted_units: int = 30
    effect: float = 2.0
    check_draws: int = 10


#: How far the faces' shared low-level feature is shifted (in SD of the feature), in both sets.
SHIFT = 1.5


def shared_feature_world(rng: np.random.Generator, networks: int, n_units: int = 400,
                         per_category: tuple[int, int] = (24, 12), shift: float = SHIFT,
                         factors: int = 3, seed_sd: float = 0.5, planted: int = 0,
                         effect: float = 2.0, network_rng: np.random.Generator | None = None
                         ) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    """A localizer set and a second set whose face images share a low-level feature, and
    ``networks`` networks of one layer that read it; no category information beyond it.

    Images (from ``rng``): a low-level feature (mean ``shift`` SDs higher for faces in both
    sets, like brightness or roundness), ``factors`` category-free image features and a gain
    that varies across images; all networks see the same images. Network j's units (from
    ``network_rng``, default ``rng``; pass a fixed one to keep the networks and redraw the
    images) are random mixtures: a loading on the low-level feature (SD 0.5 times a seed factor
    exp(N(0, seed_sd)), so seeds differ as untrained networks do), loadings on the other
    features, a baseline, and unit-specific noise (each unit's own image features, drawn with
    the images), rectified. Network 0 plays the trained one; with ``planted`` > 0 its first
    ``planted`` units also respond ``effect`` more to faces regardless of the low-level feature
    (category information that training would add). Returns the labels of the two sets
    ((n1,), (n2,); ``per_category`` images of each of :data:`CATS`) and, per network, its
    (x1 (n1, n_units), x2 (n2, n_units)).
    """
    net_rng = rng if network_rng is None else network_rng
    params = [(net_rng.normal(0, 0.5 * np.exp(net_rng.normal(0, seed_sd)), n_units),
               net_rng.normal(0, 0.7, (n_units, factors)), net_rng.normal(0, 0.5, n_units))
              for _ in range(networks)]
    images = []
    for n in per_category:
        labels = np.repeat(CATS, n)
        low = rng.normal(size=labels.size) + shift * (labels == "faces")
        images.append((labels, low, rng.normal(size=(labels.size, factors)),
                       np.exp(rng.normal(0, 0.3, labels.size)),
                       (labels == "faces") * np.exp(rng.normal(0, 0.3, labels.size))))
    nets = []
    for j, (a, b, base) in enumerate(params):
        xs = []
        for labels, low, feats, gain, face in images:
            x = (gain[:, None] * (low[:, None] * a + feats @ b.T) + base
                 + rng.normal(size=(labels.size, n_units)))
            if j == 0:
                x[:, :planted] += effect * face[:, None]
            xs.append(np.maximum(x, 0))
        nets.append(xs)
    return [im[0] for im in images], nets


def top_k_excess(x1: np.ndarray, labels1: np.ndarray, x2: np.ndarray, labels2: np.ndarray,
                 k: int) -> float:
    """The overlap statistic of the comparison (as the select_units stage computes it): the
    number of units among both sets' k highest faces t (x1 (n1, n_units), x2 (n2, n_units),
    labels (n1,), (n2,)) minus its chance level, over k."""
    r = top_k_overlap(category_t(x1, labels1, CATS)["faces"],
                      category_t(x2, labels2, CATS)["faces"], k)
    return (r["both_top_k"] - r["expected_top_k"]) / k


def _weights(rng: np.random.Generator, labels: np.ndarray, draws: int) -> np.ndarray:
    """(1 + draws, n_images): the observed set (ones), then the stratified replicates."""
    return np.vstack([np.ones(labels.size), stratified_bootstrap_weights(labels, draws, rng)])


def world_tests(rng: np.random.Generator, design: LocalizerDesign = LocalizerDesign(),
                planted: bool = False) -> list[dict]:
    """One world (:func:`shared_feature_world` with ``design.networks`` networks, planted
    category information in network 0 if ``planted``): one row per network with ``trained``
    (network 0), for each count s of :data:`SEED_COUNTS` the one-sided p of its generalisation
    t and top-k overlap against the untrained networks 1..s other than itself
    (``p_generalisation_{s}``, ``p_overlap_{s}``; NaN where fewer than two are left or the
    network is not among 0..s), and for untrained network 1 the p of the per-network
    permutation test (``p_permutation``, NaN elsewhere or with ``design.permutations`` 0).
    """
    d = design
    (l1, l2), nets = shared_feature_world(rng, d.networks, n_units=d.n_units,
                                          planted=d.planted_units if planted else 0,
                                          effect=d.effect)
    w1, w2 = _weights(rng, l1, d.draws), _weights(rng, l2, d.draws)
    g = np.array([top_k_generalisation(x1, l1, CATS, x2, l2, ["faces"], d.k, w1, w2)["faces"]
                  for x1, x2 in nets])
    excess = np.array([top_k_excess(x1, l1, x2, l2, d.k) for x1, x2 in nets])
    rows = [{"network": j, "trained": j == 0, "p_permutation": np.nan}
            for j in range(d.networks)]
    for s in SEED_COUNTS:
        for j, row in enumerate(rows):
            peers = [i for i in range(1, s + 1) if i != j]
            gen = ovl = np.nan
            if j <= s and len(peers) >= 2:
                # (alpha sets only the interval, not used here)
                gen = compare_to_untrained(g[j, 0], g[peers, 0], 0.05, g[j, 1:],
                                           g[peers, 1:])["p_vs_untrained"]
                ovl = compare_to_untrained(excess[j], excess[peers], 0.05)["p_vs_untrained"]
            row[f"p_generalisation_{s}"], row[f"p_overlap_{s}"] = gen, ovl
    if d.permutations:
        x1, x2 = nets[1]
        null = permuted_selection_t(x1, l1, "faces", CATS, d.k, np.ones(d.n_units, bool),
                                    zscore_columns(x2), l2 == "faces", d.permutations, rng)
        rows[1]["p_permutation"] = (1 + np.sum(null >= g[1, 0])) / (d.permutations + 1)
    return rows


def comparison_worlds(rngs: Iterable[np.random.Generator],
                      design: LocalizerDesign = LocalizerDesign(),
                      planted: bool = False) -> pd.DataFrame:
    """:func:`world_tests` in one world per generator: one row per world and network, with
    ``world`` (0, 1, ...) and ``planted``."""
    return pd.DataFrame([{"world": w, "planted": planted, **row}
                         for w, rng in enumerate(rngs)
                         for row in world_tests(rng, design, planted)])


def bootstrap_realisations(rngs: Iterable[np.random.Generator],
                           network_rng: np.random.Generator, draws: int = 30, k: int = 30
                           ) -> pd.DataFrame:
    """Two fixed networks (drawn from ``network_rng``, 400 units each), new images from each
    generator: one row per realisation with the difference between the networks' observed
    statistics (``d_generalisation``, ``d_overlap``) and its SD over ``draws`` paired
    stratified bootstrap replicates (``boot_sd_...``; the overlap by resampling the images and
    recomputing it). If the bootstrap is right, the root mean square bootstrap SD equals the
    differences' SD over realisations (:func:`sd_ratio`)."""
    rows = []
    for rng in rngs:
        # a copy: the same networks in every realisation
        (l1, l2), nets = shared_feature_world(rng, 2, network_rng=copy.deepcopy(network_rng))
        w1, w2 = _weights(rng, l1, draws), _weights(rng, l2, draws)
        g = [top_k_generalisation(x1, l1, CATS, x2, l2, ["faces"], k, w1, w2)["faces"]
             for x1, x2 in nets]
        o = np.array([[top_k_excess(x1[i1], l1[i1], x2[i2], l2[i2], k) for x1, x2 in nets]
                      for i1, i2 in ((np.repeat(np.arange(l1.size), a.astype(int)),
                                      np.repeat(np.arange(l2.size), b.astype(int)))
                                     for a, b in zip(w1, w2, strict=True))])
        d_g, d_o = g[0] - g[1], o[:, 0] - o[:, 1]
        rows.append({"d_generalisation": d_g[0], "boot_sd_generalisation": d_g[1:].std(ddof=1),
                     "d_overlap": d_o[0], "boot_sd_overlap": d_o[1:].std(ddof=1)})
    return pd.DataFrame(rows)


def sd_ratio(realisations: pd.DataFrame, statistic: str) -> float:
    """Bootstrap SD over the SD across realisations of one statistic's difference, pooled over
    the network draws (column ``network_draw`` if present): sqrt(mean bootstrap variance /
    mean variance over realisations). Above 1: the bootstrap is conservative."""
    groups = (realisations.groupby("network_draw") if "network_draw" in realisations
              else [(0, realisations)])
    boot = np.mean([np.mean(g[f"boot_sd_{statistic}"] ** 2) for _, g in groups])
    real = np.mean([np.var(g[f"d_{statistic}"], ddof=1) for _, g in groups])
    return float(np.sqrt(boot / real))


def rejection_rates(worlds: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Share of worlds with p < alpha per network (rows) and column ``p_...``; a world where
    the test gave no p (e.g. seeds with equal overlap: no spread) counts as not called; NaN
    where the network was never tested."""
    p = worlds.filter(regex="^p_")
    by = worlds["network"]
    rates = (p < alpha).astype(float).groupby(by).mean()
    return rates.where(p.notna().groupby(by).any())


def validation_tables(n_worlds: int, network_draws: int, realisations: int, seed: int,
                      design: LocalizerDesign = LocalizerDesign()
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The validation stage's worlds, one named stream each: ``n_worlds`` null worlds then as
    many planted ones (:func:`comparison_worlds`; the permutation test in the null worlds
    only), and ``realisations`` image realisations for each of ``network_draws`` fixed network
    pairs (:func:`bootstrap_realisations`, column ``network_draw``)."""
    null = comparison_worlds((stream(seed, "localizer-world", str(w)) for w in range(n_worlds)),
                             design)
    planted = comparison_worlds((stream(seed, "localizer-planted-world", str(w))
                                 for w in range(n_worlds)), replace(design, permutations=0),
                                planted=True)
    boot = pd.concat([bootstrap_realisations(
        (stream(seed, "localizer-realisation", str(d), str(r)) for r in range(realisations)),
        stream(seed, "localizer-networks", str(d)), design.check_draws, design.k
    ).assign(network_draw=d)
        for d in range(network_draws)], ignore_index=True)
    return pd.concat([null, planted], ignore_index=True), boot


def summary(worlds: pd.DataFrame, realisations: pd.DataFrame, alpha: float = 0.05,
            design: LocalizerDesign = LocalizerDesign()) -> dict:
    """The numbers the manuscript reports, as fractions. From the null worlds (shared
    low-level feature only): how often the permutation test called untrained network 1's
    selection generalising; with s untrained seeds the 'trained' network's rate of being
    called beyond them (generalisation, overlap) and, with four, the range of that rate over
    all networks and the overlap's rate over all networks. From the planted worlds: the power
    for the trained network. From the realisations: the pooled bootstrap/realisation SD ratio
    per statistic. ``design``: the worlds' (reported with them)."""
    null, planted = worlds[~worlds["planted"]], worlds[worlds["planted"]]
    null_rates, planted_rates = rejection_rates(null, alpha), rejection_rates(planted, alpha)
    out: dict = {"design": {**asdict(design), "shift": SHIFT}, "alpha": alpha,
                 "worlds": int(null["world"].nunique()),
                 "planted_worlds": int(planted["world"].nunique()),
                 "permutation_fired": float(null_rates.loc[1, "p_permutation"]),
                 "null": {}, "planted": {}}
    for s in SEED_COUNTS:
        out["null"][str(s)] = {stat: float(null_rates.loc[0, f"p_{stat}_{s}"])
                               for stat in STATISTICS}
        out["planted"][str(s)] = {stat: float(planted_rates.loc[0, f"p_{stat}_{s}"])
                                  for stat in STATISTICS}
    s = max(SEED_COUNTS)
    for stat in STATISTICS:
        col = null_rates[f"p_{stat}_{s}"].dropna()
        out["null"][str(s)][f"{stat}_min"] = float(col.min())
        out["null"][str(s)][f"{stat}_max"] = float(col.max())
        out["null"][str(s)][f"{stat}_all"] = float(col.mean())
    out["bootstrap"] = {"network_draws": int(realisations["network_draw"].nunique()),
                        "realisations": int(len(realisations)
                                            // realisations["network_draw"].nunique()),
                        **{f"sd_ratio_{stat}": sd_ratio(realisations, stat)
                           for stat in STATISTICS}}
    return out
