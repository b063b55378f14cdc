"""The threshold sweep: re-selection with the main analysis' rule, and every setting with too
few voxels, units or pairs reported as excluded with its reason, never a crash."""

import numpy as np

from analysis.responses import Selection
from analysis.stats.robustness import select, sweep
from tests.test_comparison import N_IMG, N_VOX, brain, network


def _world(rng, voxel_t, unit_t, n_sub=8, noise=1.0):
    truth = rng.normal(size=(N_IMG, N_VOX)) + rng.normal(size=(N_IMG, 1))
    brains = [(brain(s, truth[:, :, None] + noise * rng.normal(size=(N_IMG, N_VOX, 3))),
               voxel_t(s)) for s in range(1, n_sub + 1)]
    nets = [(network("net", truth + 0.5 * rng.normal(size=truth.shape)), unit_t)]
    return brains, nets


def _rows(table, thr, networks="net"):
    return table[(table["threshold"] == thr) & (table["networks"] == networks)].set_index("measure")


def test_selection_uses_the_one_rule_and_records_the_threshold():
    r = network("net", np.ones((5, 4)))
    t = np.array([1.0, 7.0, 7.5, np.nan])
    s = select(r, t, 7)
    assert s.channels.tolist() == [2] and s.system.selection == Selection(threshold=7.0)


def test_every_setting_is_reported_excluded_with_its_reason_never_a_crash():
    rng = np.random.default_rng(0)
    # voxel t: subjects 1-2 keep all voxels up to t 9; others lose all above t 5
    voxel_t = (lambda s: np.full(N_VOX, 10.0) if s <= 2 else np.full(N_VOX, 4.0))
    unit_t = np.r_[np.full(10, 8.0), np.full(N_VOX - 10, 2.0)]  # 10 units above t 7, 0 above 9
    brains, nets = _world(rng, voxel_t, unit_t)
    table = sweep(brains, nets, [3, 5, 7, 9, 11], N_IMG)
    assert len(table) == 20 and set(table["status"]) == {"ok", "excluded"}
    assert set(table["networks"]) == {"net", "pooled_trained"}
    t3 = _rows(table, 3)
    assert (t3["status"] == "ok").all() and (t3["reason"] == "").all()
    assert np.isfinite(t3["p_pairs"]).all()
    # t 7: two subjects and one network -> a gap, but no disjoint pairs with both values... the
    # pair (1,2) has both: 1 pair < 2 -> the test is missing, the gap is not
    t7 = _rows(table, 7)
    assert (t7["status"] == "ok").all() and np.isfinite(t7["gap"]).all()
    assert t7["reason"].str.contains("pair test not computed").all()
    # t 9: no unit above threshold -> excluded, HH still reported
    t9 = _rows(table, 9)
    assert (t9["status"] == "excluded").all()
    assert t9["reason"].str.contains("no network with >= 3 selected units").all()
    assert np.isfinite(t9["hh"]).all() and t9["hn"].isna().all() and t9["mean_units"].eq(0).all()
    # t 11: no voxels and no units anywhere
    t11 = _rows(table, 11)
    assert (t11["status"] == "excluded").all() and t11["hh"].isna().all()
    assert t11["reason"].str.contains("0 subject\\(s\\) with >= 3 selected voxels").all()


def test_one_subject_left_is_excluded_not_a_crash():
    rng = np.random.default_rng(1)
    brains, nets = _world(rng, lambda s: np.full(N_VOX, 10.0 if s == 1 else 1.0),
                          np.full(N_VOX, 10.0))
    row = _rows(sweep(brains, nets, [5], N_IMG), 5)
    assert (row["status"] == "excluded").all()
    assert row["reason"].str.contains("1 subject\\(s\\)").all()


def test_unreliable_brains_give_an_excluded_setting_with_the_reason():
    """Repetitions that anti-correlate make every reliability negative or undefined, so no
    corrected similarity is finite."""
    rng = np.random.default_rng(2)
    brains, nets = _world(rng, lambda s: np.full(N_VOX, 10.0), np.full(N_VOX, 10.0))
    for r, _ in brains:
        r.data[:, :, 1] = -r.data[:, :, 0]
        r.data[:, :, 2] = r.data[:, :, 0]
    row = _rows(sweep(brains, nets, [5], N_IMG), 5)
    assert (row["status"] == "excluded").all()
    assert row["reason"].str.contains("no finite corrected similarity").all()


def test_trained_and_untrained_networks_are_swept_apart():
    from tests.test_comparison import _untrained

    rng = np.random.default_rng(3)
    brains, nets = _world(rng, lambda s: np.full(N_VOX, 10.0), np.full(N_VOX, 10.0))
    nets.append((_untrained("rand", rng.normal(size=(N_IMG, N_VOX))), np.full(N_VOX, 10.0)))
    table = sweep(brains, nets, [5], N_IMG)
    assert set(table["networks"]) == {"net", "rand", "pooled_trained", "pooled_untrained"}
    for pool, model in (("pooled_trained", "net"), ("pooled_untrained", "rand")):
        a, b = _rows(table, 5, pool), _rows(table, 5, model)
        assert np.allclose(a["gap"], b["gap"]) and np.allclose(a["hn"], b["hn"])
    assert (_rows(table, 5, "pooled_untrained")["gap"] >
            _rows(table, 5, "pooled_trained")["gap"] + 0.3).all()
