"""Controls run like a network: a noise-free copy of the brains' true profiles (positive) must
give an HH - HN interval that includes 0, the same with images shuffled (negative) an HN near
0; the control brain file round-trips through the simulator's writer and its reader."""

import numpy as np

from analysis.responses import NetworkId, Responses
from analysis.stats.comparison import Method
from analysis.stats.controls import NEGATIVE, aligned, control_comparison, shuffled
from tests.test_comparison import N_IMG, N_VOX, brain


def _world(rng, noise=1.0):
    """Subjects with idiosyncratic voxel mixtures of one true profile structure, plus a
    noise-free control subject drawn the same way (its own voxels)."""
    latent = rng.normal(size=(N_IMG, 6))
    region = rng.normal(size=(6, 1))                    # the region's shared read-out
    strength = rng.uniform(0.2, 1.5, size=(N_IMG, 1))  # weakly and strongly driven images

    def subject_truth():
        weights = region * rng.uniform(0.5, 1.0, N_VOX) + 0.5 * rng.normal(size=(6, N_VOX))
        return strength * (latent @ weights + 0.2 * rng.normal(size=(N_IMG, N_VOX)))

    brains = [brain(s, subject_truth()[:, :, None] + noise * rng.normal(size=(N_IMG, N_VOX, 3)))
              for s in range(1, 9)]
    control = Responses.from_network(subject_truth(), np.arange(N_IMG), np.arange(N_VOX),
                                     NetworkId("positive_control", "FFA", True))
    return brains, control


def test_positive_control_matches_and_negative_control_does_not():
    """Over 4 simulated worlds: with the cross-validated distance the positive control's gap
    is about 0 (within 0.03; its interval includes 0 in at least 3 of 4), with the paper's
    correlation distance its multivariate gap is positive (the bias); the negative control's HN
    is about 0 and its gap clearly positive."""
    covered, paper_gaps = 0, []
    for seed in range(4):
        brains, control = _world(np.random.default_rng(seed))
        for distance in ("crossval_euclidean", "correlation"):
            t = control_comparison(brains, control, 60, 0.95, Method(distance),
                                   np.random.default_rng(1), np.random.default_rng(2))
            t = t.set_index(["control", "measure"])
            for measure in ("univariate", "multivariate"):
                pos, neg = t.loc[("positive_control", measure)], t.loc[(NEGATIVE, measure)]
                assert abs(neg["hn_mean"]) < 0.15 and neg["ci_low"] > 0.5
                if distance == "crossval_euclidean":
                    assert abs(pos["gap"]) < 0.03
                    covered += int(pos["ci_low"] <= 0 <= pos["ci_high"])
            paper_gaps.append(t.loc[("positive_control", "multivariate"), "gap"]
                              if distance == "correlation" else np.nan)
    assert covered >= 6  # of 8 (4 worlds x 2 measures)
    assert np.nanmean(paper_gaps) > 0.03


def test_shuffled_permutes_images_only_and_aligned_reorders():
    r = Responses.from_network(np.arange(12.0).reshape(4, 3), np.array([10, 11, 12, 13]),
                               np.arange(3), NetworkId("positive_control", "FFA", True))
    s = shuffled(r, np.random.default_rng(0))
    assert s.system.model == NEGATIVE and np.array_equal(s.stimuli, r.stimuli)
    assert sorted(map(tuple, s.data[:, :, 0])) == sorted(map(tuple, r.data[:, :, 0]))
    a = aligned(r, np.array([13, 10]))
    assert a.data[:, :, 0].tolist() == [[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]]
    assert aligned(r, np.array([10, 99])) is None  # not on these images


def test_control_brain_round_trip(tmp_path):
    from analysis.demo import brain as demo_brain
    from analysis.demo.write import SubjectTruth, write_control_brain
    from analysis.io.control_brain import responses

    n_dom = len(demo_brain.DOMAINS)
    inside = np.ones((2, 2, 1), bool)
    vox_index = np.arange(4).reshape(2, 2, 1)
    tvals = np.zeros((4, n_dom))
    tvals[:, 0] = [9.0, 8.0, -1.0, 3.0]  # faces t
    true = np.arange(40.0).reshape(4, 10)
    mask = np.ones((2, 2, 1), bool)
    st = SubjectTruth(inside, vox_index, np.array(["FFA"] * 4, dtype=object), np.ones(4), true,
                      tvals, [("floc-faces", 2, "FFA", mask)], {"FFA": 1.0})
    path = tmp_path / "control_brain.h5"
    write_control_brain(st, np.array([2, 5, 7]), path)
    r = responses("FFA", "faces", 7.0, path)
    assert r.channels.tolist() == [0, 1] and r.stimuli.tolist() == [2, 5, 7]
    assert r.data[:, :, 0].tolist() == [[2.0, 12.0], [5.0, 15.0], [7.0, 17.0]]
    assert r.system.noiseless and r.system.selection.threshold == 7.0
    assert responses("EBA", "bodies", 7.0, path) is None
    assert responses("FFA", "faces", 7.0, tmp_path / "missing.h5") is None
