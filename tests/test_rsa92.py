"""The 92-image check: real human-IT RDMs load in the right order; corrections behave; the
pre-specified layers are the zoo's; a layer chosen on one session and scored on the other is not
inflated by the choice, where the best of many variants scored on the same data is."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from analysis.responses import NetworkId, Selection
from analysis.stats.rsa92 import (
    compare,
    crossval_layers,
    crossval_scores,
    group_means,
    hn_means,
    human_reliability,
    load_human_rdms,
    prespecified,
    session_reliability,
)

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "offline" / "kriegeskorte92"


@pytest.mark.skipif(not MIRROR.is_dir(), reason="offline mirror not present")
def test_real_rdms_load_and_match_the_published_group_rdm():
    import scipy.io

    humans = load_human_rdms(MIRROR)
    assert sorted(humans) == ["BE", "KO", "SN", "TI"]
    assert all(v.shape == (2, 92 * 91 // 2) for v in humans.values())
    group = scipy.io.loadmat(MIRROR / "Kriegeskorte_Neuron2008_supplementalData.mat",
                             squeeze_me=True, struct_as_record=False)["RDMs_mIT_hIT_fig1"]
    hit = [g for g in group if "hIT" in str(g.name)][0].RDM
    mean = np.mean([v for s in humans.values() for v in s], axis=0)
    assert np.corrcoef(mean, hit)[0, 1] > 0.999  # same image order as the published RDM
    assert all(0 < human_reliability(v) < 1 for v in humans.values())
    assert all(0 < session_reliability(v) < human_reliability(v) for v in humans.values())


def test_compare_with_planted_truth():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=500)
    humans = {s: np.stack([truth + rng.normal(size=500) for _ in range(2)]) for s in "ABCD"}
    other = rng.normal(size=500)
    out = compare(humans, [(NetworkId("true", "layer", True), truth),
                           (NetworkId("unrelated", "layer", False), other)])
    hh = out[out["kind"] == "hh"]["r_corrected"]
    assert len(hh) == 6 and hh.mean() == pytest.approx(1.0, abs=0.1)
    assert (out["measure"] == "multivariate").all()
    hn = out[out["kind"] == "hn"].groupby("b_model")["r_corrected"].mean()
    assert hn["true"] == pytest.approx(1.0, abs=0.1) and abs(hn["unrelated"]) < 0.15


def _net(truth: np.ndarray, rho: float, rng: np.random.Generator) -> np.ndarray:
    """A network RDM whose Pearson r with ``truth`` is exactly ``rho`` (its true HN)."""
    z = (truth - truth.mean()) / truth.std()
    e = rng.standard_normal(len(truth))
    e -= e.mean()
    e -= (e @ z) / (z @ z) * z
    return rho * z + np.sqrt(1 - rho ** 2) * e / e.std()


def _world(seed: int, rhos: dict[str, float], n_pairs: int = 300, noise_sd: float = 1.5
           ) -> tuple[dict[str, np.ndarray], list[tuple[NetworkId, np.ndarray]]]:
    """4 subjects x 2 sessions of truth + noise (single-session reliability about 0.3) and one
    network layer per entry of ``rhos`` (layer -> true HN)."""
    rng = np.random.default_rng(seed)
    truth = rng.standard_normal(n_pairs)
    humans = {s: truth + noise_sd * rng.standard_normal((2, n_pairs)) for s in "ABCD"}
    return humans, [(NetworkId("m", layer, True), _net(truth, rho, rng))
                    for layer, rho in rhos.items()]


def _scores(seed: int, rhos: dict[str, float]) -> tuple[float, str, float, list[str]]:
    """In-sample best layer (two-session mean RDMs) with its HN, and the session-crossvalidated
    HN with the layers chosen on session 1 and on session 2."""
    humans, nets = _world(seed, rhos)
    hn = hn_means(compare(humans, nets))
    best = hn.loc[hn["hn"].idxmax()]
    folds = crossval_layers(tuple(hn_means(compare(humans, nets, session=k)) for k in (0, 1)))
    cv = crossval_scores(folds).iloc[0]
    return float(best["hn"]), str(best["layer"]), float(cv["hn"]), list(cv["layers"])


SEEDS = range(100)


def test_single_hn_values_match_scipy():
    humans, nets = _world(0, {"a": 0.5})
    net, (a0, a1) = nets[0][1], humans["A"]
    r_split = scipy.stats.pearsonr(a0, a1).statistic
    one = compare(humans, nets, session=1)
    row = one[(one["kind"] == "hn") & (one["a_subject"] == "A")].iloc[0]
    assert row["r_corrected"] == pytest.approx(
        scipy.stats.pearsonr(net, a1).statistic / np.sqrt(r_split), rel=1e-9)
    both = compare(humans, nets)
    row = both[(both["kind"] == "hn") & (both["a_subject"] == "A")].iloc[0]
    assert row["r_corrected"] == pytest.approx(
        scipy.stats.pearsonr(net, (a0 + a1) / 2).statistic
        / np.sqrt(2 * r_split / (1 + r_split)), rel=1e-9)


def test_hn_means_are_ratios_of_means_over_subjects():
    """A variant's HN is sum_s r_s / sum_s sqrt(rel_s) over the subjects (the NSD comparison's
    estimator), not the mean of r_s / sqrt(rel_s): by hand with scipy and Spearman-Brown."""
    humans, nets = _world(3, {"a": 0.5})
    humans["D"] = np.random.default_rng(9).standard_normal((2, 300))  # no signal: rel < 0
    net = nets[0][1]
    r = [scipy.stats.pearsonr(net, v.mean(0)).statistic for _, v in sorted(humans.items())]
    split = [scipy.stats.pearsonr(*v).statistic for _, v in sorted(humans.items())]
    rel = [2 * x / (1 + x) if x >= 0 else x for x in split]  # Spearman-Brown, 2 sessions
    norm = [np.sqrt(max(x, 0.0)) for x in rel]
    hn = hn_means(compare(humans, nets)).iloc[0]
    assert hn["hn"] == pytest.approx(sum(r) / sum(norm), rel=1e-10)
    assert set(hn[["model", "layer", "units"]]) == {"m", "a", "all"}


def test_crossval_recovers_a_clearly_best_layer():
    rhos = {"best": 0.6, **{f"noise{i:02d}": 0.3 for i in range(24)}}
    res = [_scores(s, rhos) for s in range(40)]
    assert all(layers == ["best", "best"] for *_, layers in res)
    assert np.mean([cv for _, _, cv, _ in res]) == pytest.approx(0.6, abs=0.02)


def test_crossval_is_not_inflated_where_the_best_of_many_is():
    # one truly best layer among 24 noisier ones close enough to win by chance
    rhos = {"best": 0.5, **{f"noise{i:02d}": 0.45 for i in range(24)}}
    res = [_scores(s, rhos) for s in SEEDS]
    insample = np.array([r[0] for r in res])
    insample_truth = np.array([rhos[r[1]] for r in res])
    cv = np.array([r[2] for r in res])
    cv_truth = np.array([np.mean([rhos[lay] for lay in r[3]]) for r in res])
    chosen = pd.Series([lay for r in res for lay in r[3]]).value_counts(normalize=True)
    assert chosen.index[0] == "best" and chosen["best"] > 4 / len(rhos)  # modal; chance 1/25
    # unbiased for the true HN of the layers it chose (within the small upward bias of a
    # correction by an estimated reliability, which a fixed layer has as well), so not
    # above the best layer's truth
    assert np.mean(cv - cv_truth) == pytest.approx(0, abs=0.02)
    assert cv.mean() < 0.5 + 0.02
    # the best variant scored on the data that chose it: above its own truth, above the best
    # layer's truth and above the cross-validated score
    assert np.mean(insample - insample_truth) > 0.03
    assert insample.mean() > 0.5 + 0.01
    assert np.mean(insample - cv) > 0.03


def test_crossval_of_equal_layers_is_the_single_layer_score():
    rhos = {f"layer{i:02d}": 0.4 for i in range(12)}
    res = [_scores(s, rhos) for s in SEEDS]
    cv = np.array([r[2] for r in res])
    insample = np.array([r[0] for r in res])
    assert cv.mean() == pytest.approx(0.4, abs=0.02)
    assert insample.mean() > 0.4 + 0.03


def _hn_table(values: dict[tuple[str, bool, str, str], float]) -> pd.DataFrame:
    return pd.DataFrame([{"model": m, "trained": t, "layer": lay, "units": u, "hn": v}
                         for (m, t, lay, u), v in values.items()])


def test_prespecified_reads_the_zoo_layer_per_category():
    rng = np.random.default_rng(1)
    humans, _ = _world(1, {})
    truth = humans["A"].mean(0)
    nets = [(NetworkId(m, lay, m == "t", Selection("floc", u, 7.0) if u else Selection()),
             rng.standard_normal(len(truth)))
            for m in ("t", "u") for lay in ("l1", "l2") for u in (None, "faces", "places")
            if (lay, u) != ("l2", "places")]  # too few place units in l2
    hn = hn_means(compare(humans, nets))
    assert len(hn) == 10 and set(hn["units"]) == {"all", "faces", "places"}
    pre = prespecified(hn, {m: {"faces": "l1", "places": "l2"} for m in ("t", "u")})
    assert len(pre) == 8
    row = pre.set_index(["model", "category", "units"])
    v = hn.set_index(["model", "layer", "units"])["hn"]
    assert row.loc[("t", "faces", "selected"), "hn"] == v[("t", "l1", "faces")]
    assert row.loc[("t", "places", "all"), "hn"] == v[("t", "l2", "all")]
    assert np.isnan(row.loc[("u", "places", "selected"), "hn"])
    assert not row.loc[("u", "faces", "all"), "trained"]


def test_crossval_layers_choose_on_one_session_and_score_on_the_other():
    s1 = _hn_table({("m", True, "l1", "all"): 0.2, ("m", True, "l2", "all"): 0.5,
                    ("m", True, "l3", "all"): np.nan})
    s2 = _hn_table({("m", True, "l1", "all"): 0.4, ("m", True, "l2", "all"): 0.1,
                    ("m", True, "l3", "all"): 0.3})
    folds = crossval_layers((s1, s2))
    assert folds[["chosen_on", "layer", "hn_chosen", "hn_held_out"]].values.tolist() == [
        [1, "l2", 0.5, 0.1], [2, "l1", 0.4, 0.2]]
    cv = crossval_scores(folds).iloc[0]
    assert cv["hn"] == pytest.approx(0.15) and cv["layers"] == ["l2", "l1"]


def test_group_means_never_pool_trained_with_untrained():
    table = pd.DataFrame({"model": ["a", "a", "b", "b", "u", "u"],
                          "trained": [True, True, True, True, False, False],
                          "units": ["all", "faces", "all", "places", "all", "faces"],
                          "hn": [0.6, 0.5, 0.4, np.nan, 0.1, 0.0]})
    g = group_means(table)
    assert g["trained"] == {"all": pytest.approx(0.5), "selected": pytest.approx(0.5)}
    assert g["untrained"] == {"all": pytest.approx(0.1), "selected": pytest.approx(0.0)}
    assert np.isnan(group_means(table[table["trained"]])["untrained"]["all"])
