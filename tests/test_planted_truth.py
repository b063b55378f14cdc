"""The planted-truth check: the truth the generator writes is what the noisy data measure, the
planted values are computed as the references compute them, and the manuscript's sentence and
table say what the numbers say."""

import h5py
import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import pdist

from analysis.io.voxel_truth import read as read_truth
from analysis.report.macros import planted_truth_table
from analysis.report.verdicts import planted_sentence
from analysis.stats.comparison import Method
from analysis.validation.planted import (
    VoxelTruth,
    contrast,
    human_human,
    profile_similarity,
    selection_shares,
)
from tests.test_demo import CFG, simulated_and_prepared

DEFS = {"FFA": {"volume": "floc-faces", "labels": [2, 3], "contrast": "faces"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("planted")
    simulated_and_prepared(out, 11, DEFS)
    return out


@pytest.mark.parametrize("subject", [1, 2])  # NIfTI and HDF5 betas
def test_the_truth_is_what_the_noisy_betas_measure(world, subject):
    """The store's z-scored single trials of FFA are the truth (divided by its signal SD) times
    1 / sqrt(1 + noise_sd^2) plus noise of variance noise_sd^2 / (1 + noise_sd^2): the truth
    file is the generator's truth, mapped to the right voxels (both beta layouts)."""
    fields, domains = read_truth(world / "truth/voxels.h5")
    truth = VoxelTruth(**fields[subject])
    with h5py.File(world / f"prepared/subj{subject:02d}.h5") as f:
        idx = f["roi/FFA"][()]
        ijk, t = f["voxels/ijk"][()][idx], f["voxels/t_faces"][()][idx]
        data, ids = f["responses/shared"][()][idx], f["images/shared"][()]
    rows = truth.rows(ijk)
    np.testing.assert_allclose(truth.t[rows, domains.index("faces")], t, rtol=1e-5, atol=1e-4)
    x = truth.scaled(rows, ids).T  # (voxels, images)
    sigma = CFG["noise_sd"][subject - 1]
    measured = data - np.nanmean(data, axis=(1, 2), keepdims=True)
    expected = (x - x.mean(axis=1, keepdims=True))[:, :, None] / np.sqrt(1 + sigma**2)
    resid = measured - expected
    assert np.nanvar(resid) == pytest.approx(sigma**2 / (1 + sigma**2), rel=0.15)
    # the truth explains the mean over repetitions as its reliability allows
    mean = np.nanmean(measured, axis=2).mean(axis=0)
    assert stats.pearsonr(mean, x.mean(axis=0))[0] > 0.9


def test_truth_rows_and_images_name_what_is_missing():
    truth = VoxelTruth(np.array([[0, 0, 0], [1, 2, 3]]), np.array(["FFA", ""]),
                       np.array([2.0, 4.0]), np.zeros((2, 5)),
                       np.array([[2.0, 4.0, 6.0], [4.0, 8.0, 12.0]]), np.array([10, 20, 30]), 1.0)
    np.testing.assert_array_equal(truth.rows(np.array([[1, 2, 3], [0, 0, 0]])), [1, 0])
    with pytest.raises(ValueError, match=r"\(5, 5, 5\)"):
        truth.rows(np.array([[5, 5, 5]]))
    # divided by the signal SD (3 and 1 for both voxels), then centred over the two stimuli
    np.testing.assert_allclose(truth.scaled(np.array([0, 1]), np.array([30, 10])),
                               [[1.0, 1.0], [-1.0, -1.0]])
    with pytest.raises(ValueError, match="stimulus 40"):
        truth.scaled(np.array([0]), np.array([40]))


@pytest.mark.parametrize("method", [Method("crossval_euclidean", "pearson"),
                                    Method("correlation", "pearson"),
                                    Method("correlation", "spearman")])
def test_profile_similarity_matches_scipy(method):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 12)), rng.normal(size=(30, 12))
    y += x
    assert profile_similarity(x, y, "univariate", method) == pytest.approx(
        stats.pearsonr(x.mean(1), y.mean(1))[0])
    dist = "sqeuclidean" if method.distance == "crossval_euclidean" else "correlation"
    corr = stats.pearsonr if method.similarity == "pearson" else stats.spearmanr
    assert profile_similarity(x, y, "multivariate", method) == pytest.approx(
        corr(pdist(x, dist), pdist(y, dist))[0])


def test_human_human_recovers_shared_and_independent_subjects():
    """Subjects sharing one truth plus an idiosyncratic part of SD lam: the univariate
    similarity of their profiles is 1 / (1 + lam^2) in expectation; independent subjects 0."""
    rng = np.random.default_rng(1)
    shared = rng.normal(size=(4000, 1)) + 0.3 * rng.normal(size=(4000, 8))
    lam = 0.5
    subjects = [shared + lam * rng.normal(size=(4000, 1)) + 0.3 * rng.normal(size=(4000, 8))
                for _ in range(4)]
    method = Method()
    # voxel means: shared (var 1 + 0.09/8) vs idiosyncratic (lam^2 + 0.09/8)
    s2, e2 = 1 + 0.09 / 8, lam**2 + 0.09 / 8
    assert human_human(subjects, "univariate", method) == pytest.approx(s2 / (s2 + e2), abs=0.02)
    independent = [rng.normal(size=(4000, 8)) for _ in range(4)]
    assert abs(human_human(independent, "univariate", method)) < 0.05
    assert np.isnan(human_human(subjects[:1], "univariate", method))


def test_contrast_is_the_standardized_mean_difference():
    profile = np.array([3.0, 1.0, 0.0, 0.0, -1.0, -3.0])
    a = np.array([True, True, False, False, False, False])
    b = np.array([False, False, False, False, True, True])
    expected = (2.0 - (-2.0)) / profile.std()
    one = np.repeat(profile[:, None], 3, axis=1)  # three voxels with the same profile
    assert contrast([one, 2 * one + 1], a, b) == pytest.approx(expected)


def test_selection_shares():
    assert selection_shares(np.array(["FFA", "FFA", "OFA", ""]), "FFA") == (4, 0.5)
    n, share = selection_shares(np.array([], dtype=str), "FFA")
    assert n == 0 and np.isnan(share)


def _row(quantity, region, detail, planted, recovered, low, high, interval, inside):
    return {"quantity": quantity, "region": region, "detail": detail, "planted": planted,
            "recovered": recovered, "low": low, "high": high, "interval": interval,
            "inside": inside}


ROWS = [_row("region_size", "FFA", "", 112.9, 60.6, 51.0, 67.0, "subjects", None),
        _row("selected_in_region", "FFA", "", None, 0.996, 0.98, 1.0, "subjects", None),
        _row("human_human", "FFA", "univariate", 0.99, 0.98, 0.97, 1.0, "ci", True),
        _row("human_human", "FFA", "multivariate", 0.99, 0.9, 0.85, 0.95, "ci", False),
        _row("diagnostic_contrast", "FFA", "human_face - animal_face", -0.18, -0.15, -0.22,
             -0.08, "ci", True)]


def test_sentence_says_which_planted_values_the_intervals_missed():
    planted = {"available": True, "n_judged": 3, "n_inside": 2, "rows": ROWS}
    s = planted_sentence(planted, "95")
    assert "in 2 of 3 comparisons" in s
    assert "missed the human-human similarity in FFA (multivariate)" in s
    every = planted_sentence({**planted, "n_inside": 3,
                              "rows": [{**r, "inside": r["inside"] is not None or None}
                                       for r in ROWS]}, "95")
    assert "in all 3 comparisons (human-human similarity and diagnostic contrast)" in every
    assert "real" in planted_sentence({"available": False, "rows": []}, "95")


def test_table_prints_planted_recovered_and_interval():
    tex = planted_truth_table({"available": True, "rows": ROWS}, ["FFA", "EBA"])
    lines = [line for line in tex.splitlines() if "&" in line]
    assert lines[1].startswith("FFA & voxels: region / selected & 112.9 & 60.6 & (51--67)")
    assert "selected voxels in region & -- & 1.00 & (0.98--1.00)" in lines[2]
    assert lines[4].endswith("[0.85, 0.95] & no \\\\")
    assert "contrast human face minus animal face" in lines[5]
    assert "EBA" not in tex  # a region without rows prints nothing
    empty = planted_truth_table({"available": False, "rows": []}, ["FFA"])
    assert "No planted truth" in empty


@pytest.mark.parametrize("distance", ["crossval_euclidean", "correlation"])
def test_planted_values_are_the_pipelines_own_measures_without_noise(distance):
    """Noise-free voxels with offsets of their own, measured as the stores hold them (each
    voxel centred, three identical repetitions), through the comparison's and the divergence
    analysis's own code: their raw similarities and contrast are the planted ones."""
    from itertools import combinations

    from analysis.responses import BrainId, Responses
    from analysis.stats import divergence as dv
    from analysis.stats.comparison import prepare_all, profile, similarity

    rng = np.random.default_rng(3)
    n_img, n_vox = 40, 12
    shared = rng.normal(size=(n_img, n_vox))
    raw = [shared + 0.7 * rng.normal(size=(n_img, n_vox)) + 5 * rng.normal(size=(1, n_vox))
           for _ in range(3)]
    ids = np.arange(100, 100 + n_img)
    truths = [VoxelTruth(np.zeros((n_vox, 3)), np.full(n_vox, "FFA"), np.ones(n_vox),
                         np.zeros((n_vox, 5)), x.T, ids, 1.0) for x in raw]
    planted = [t.scaled(np.arange(n_vox), ids) for t in truths]
    brains = [Responses(np.repeat((x - x.mean(0))[:, :, None], 3, axis=2), ids,
                        np.arange(n_vox), BrainId(k + 1, "FFA")) for k, x in enumerate(raw)]
    method = Method(distance, "pearson")
    profiles = [profile(p, np.arange(n_img)) for p in prepare_all(brains, method)]
    for measure in ("univariate", "multivariate"):
        measured = np.mean([similarity(a, b, measure, method)[0]
                            for a, b in combinations(profiles, 2)])
        assert human_human(planted, measure, method) == pytest.approx(measured, abs=1e-9)
    a, b = np.arange(n_img) < 10, np.arange(n_img) >= 30
    measured = np.mean([dv.contrast(dv.brain_profile(r.data).z(), a, b) for r in brains])
    assert contrast(planted, a, b) == pytest.approx(measured, abs=1e-9)
