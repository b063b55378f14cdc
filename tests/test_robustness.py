"""The threshold sweep: re-selection with the main analysis' rule, every setting with the
comparison's inference, and every setting with too few voxels, units or reliable profiles
reported as excluded with its reason, never a crash."""

import numpy as np
import pytest

from analysis.responses import Selection
from analysis.stats.comparison import Method, group_means, similarities
from analysis.stats.region_comparison import inference
from analysis.stats.robustness import hh_by_threshold, select, sweep
from analysis.validation.worlds import null_world
from tests.test_comparison import N_IMG, N_VOX, _untrained, brain, network

COLUMNS = ["threshold", "networks", "n_models", "measure", "mean_voxels", "mean_units", "hh",
           "hn", "gap", "gap_bias", "gap_corrected", "gap_ci_low", "gap_ci_high", "gap_p",
           "status", "reason"]
INFERRED = ["gap_bias", "gap_corrected", "gap_ci_low", "gap_ci_high", "gap_p"]


def _world(seed, voxel_t, unit_t):
    """A null world's subjects with localizer t-values ``voxel_t(subject)`` and its network
    (the truth with random unit scales) with ``unit_t``."""
    brains, net, _ = null_world(np.random.default_rng(seed))
    return ([(b, voxel_t(b.system.subject)) for b in brains], [(net, unit_t)])


def _sweep(brains, nets, thresholds, n_boot=100):
    rngs = {t: np.random.default_rng(int(10 * t)) for t in thresholds}
    return sweep(brains, nets, thresholds, N_IMG, n_boot, 0.95, rngs, Method())


def _rows(table, thr, networks="net"):
    return table[(table["threshold"] == thr) & (table["networks"] == networks)].set_index("measure")


def test_selection_uses_the_one_rule_and_records_the_threshold():
    r = network("net", np.ones((5, 4)))
    t = np.array([1.0, 7.0, 7.5, np.nan])
    s = select(r, t, 7)
    assert s.channels.tolist() == [2] and s.system.selection == Selection(threshold=7.0)


def test_every_setting_is_reported_with_its_inference_or_excluded_with_its_reason():
    # voxel t: subjects 1-2 keep all voxels up to t 9; others lose all above t 5
    def voxel_t(s: int) -> np.ndarray:
        return np.full(N_VOX, 10.0) if s <= 2 else np.full(N_VOX, 4.0)

    unit_t = np.r_[np.full(10, 8.0), np.full(N_VOX - 10, 2.0)]  # 10 units above t 7, 0 above 9
    brains, nets = _world(0, voxel_t, unit_t)
    table = _sweep(brains, nets, [3, 5, 7, 9, 11])
    assert list(table.columns) == COLUMNS
    assert len(table) == 20 and set(table["status"]) == {"ok", "excluded"}
    assert set(table["networks"]) == {"net", "pooled_trained"}
    t3 = _rows(table, 3)
    assert (t3["status"] == "ok").all() and (t3["reason"] == "").all()
    assert np.isfinite(t3[["hh", "hn", "gap", *INFERRED]].to_numpy()).all()
    assert (t3["gap_ci_low"] <= t3["gap_corrected"]).all()
    assert (t3["gap_corrected"] <= t3["gap_ci_high"]).all()
    assert t3["gap_corrected"].to_numpy() == pytest.approx(
        (t3["gap"] - t3["gap_bias"]).to_numpy())
    # t 7: two subjects and one network with 10 units -> a gap, but no interval: resampling
    # two subjects says nothing about a population of subjects
    t7 = _rows(table, 7)
    assert (t7["status"] == "excluded").all() and np.isfinite(t7["gap"]).all()
    assert t7["reason"].str.contains("no interval: fewer than 3 subjects").all()
    assert t7[INFERRED].isna().all().all()
    assert (t7["mean_units"] == 10).all() and (t7["mean_voxels"] == N_VOX / 4).all()
    # t 9: no unit above threshold -> excluded, HH still reported, no inference
    t9 = _rows(table, 9)
    assert (t9["status"] == "excluded").all()
    assert t9["reason"].str.contains("no network with >= 3 selected units").all()
    assert np.isfinite(t9["hh"]).all() and t9["hn"].isna().all() and t9["mean_units"].eq(0).all()
    assert t9[INFERRED].isna().all().all()
    # t 11: no voxels and no units anywhere
    t11 = _rows(table, 11)
    assert (t11["status"] == "excluded").all() and t11["hh"].isna().all()
    assert t11["reason"].str.contains("0 subject\\(s\\) with >= 3 selected voxels").all()


def test_the_sweep_carries_the_comparisons_inference():
    """At a threshold that keeps everything, the sweep's gap, bias, interval and p are
    region_comparison.inference's with the same random stream."""
    brains, nets = _world(1, lambda s: np.full(N_VOX, 10.0), np.full(N_VOX, 10.0))
    row = _rows(_sweep(brains, nets, [5]), 5)
    ref = inference([b for b, _ in brains], [n for n, _ in nets], 100, 0.95, Method(),
                    np.random.default_rng(50)).set_index(["networks", "measure"]).loc["net"]
    for ours, theirs in (("gap_bias", "gap_bias"), ("gap_corrected", "gap_estimate_corrected"),
                         ("gap_ci_low", "gap_ci_low"), ("gap_ci_high", "gap_ci_high"),
                         ("gap_p", "gap_p")):
        np.testing.assert_allclose(row[ours], ref.loc[row.index, theirs], rtol=1e-12)


def test_one_subject_left_is_excluded_not_a_crash():
    brains, nets = _world(2, lambda s: np.full(N_VOX, 10.0 if s == 1 else 1.0),
                          np.full(N_VOX, 10.0))
    row = _rows(_sweep(brains, nets, [5]), 5)
    assert (row["status"] == "excluded").all()
    assert row["reason"].str.contains("1 subject\\(s\\)").all()
    assert row[INFERRED].isna().all().all()


def test_unreliable_brains_give_an_excluded_setting_with_the_reason():
    """Repetitions that anti-correlate make every reliability negative: every norm is 0, so
    no corrected similarity is defined."""
    brains, nets = _world(3, lambda s: np.full(N_VOX, 10.0), np.full(N_VOX, 10.0))
    flipped = []
    for r, t in brains:
        data = r.data.copy()
        data[:, :, 1] = -data[:, :, 0]
        data[:, :, 2] = data[:, :, 0]
        flipped.append((brain(r.system.subject, data), t))
    row = _rows(_sweep(flipped, nets, [5]), 5)
    assert (row["status"] == "excluded").all()
    assert row["reason"].str.contains("no corrected similarity").all()


def test_trained_and_untrained_networks_are_swept_apart():
    brains, nets = _world(4, lambda s: np.full(N_VOX, 10.0), np.full(N_VOX, 10.0))
    unrelated = null_world(np.random.default_rng(99))[1].data[:, :, 0]
    nets.append((_untrained("rand", unrelated), np.full(N_VOX, 10.0)))
    table = _sweep(brains, nets, [5])
    assert set(table["networks"]) == {"net", "rand", "pooled_trained", "pooled_untrained"}
    for pool, model in (("pooled_trained", "net"), ("pooled_untrained", "rand")):
        a, b = _rows(table, 5, pool), _rows(table, 5, model)
        assert np.allclose(a["gap"], b["gap"]) and np.allclose(a["hn"], b["hn"])
    trained, untrained = _rows(table, 5, "pooled_trained"), _rows(table, 5, "pooled_untrained")
    assert (untrained["gap_corrected"] > trained["gap_corrected"] + 0.3).all()
    assert (untrained["gap_ci_low"] > 0).all() and (untrained["gap_p"] < 0.05).all()


def test_hh_by_threshold_is_the_ratio_of_means_of_the_selected_voxels():
    brains, _ = _world(5, lambda s: np.r_[np.full(20, 10.0), np.full(N_VOX - 20, 4.0)]
                       if s <= 4 else np.full(N_VOX, 6.0), np.zeros(N_VOX))
    method = Method("correlation")
    table = hh_by_threshold(brains, [5, 7, 11], N_IMG, method).set_index(
        ["threshold", "measure"])
    # t 7: subjects 1-4 with their first 20 voxels
    chosen = [select(r, t, 7) for r, t in brains[:4]]
    ref = group_means(similarities(chosen, [], np.arange(N_IMG), method))[0]
    for m, v in ref.items():
        assert table.loc[(7.0, m), "hh"] == pytest.approx(v, rel=1e-12)
    assert table.loc[(5.0, "univariate"), "hh"] != table.loc[(7.0, "univariate"), "hh"]
    assert table.loc[11.0, "hh"].isna().all()  # no subject left
