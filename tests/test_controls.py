"""Controls run like a network, judged by equivalence: a noise-free copy of the brains' truth
(positive) must give a gap whose 90 % interval lies within +/- the margin, the same with its
images shuffled (negative) a gap whose interval lies above it. In a precise null world
(analysis.validation.comparison.CONTROL_DESIGN: 150 images, 60 voxels, ncsnr 0.35-0.6, image
strength varying with log-SD 0.7, unit scales log-SD 1) the default distance passes both and the
paper's correlation distance fails the positive control (its bias, about +0.25). The control
brain file round-trips through the simulator's writer and its reader."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from analysis.io.controls import positive
from analysis.responses import NetworkId, Responses
from analysis.stats.comparison import MEASURES, Method
from analysis.stats.controls import control_comparison, negative, verdict
from analysis.validation.comparison import CONTROL_DESIGN
from analysis.validation.worlds import null_world
from analysis.vocabulary import NEGATIVE_CONTROL as NEGATIVE
from analysis.vocabulary import POSITIVE_CONTROL as POSITIVE

MARGIN, EQ_LEVEL = 0.05, 0.90  # params comparison.equivalence_margin / equivalence_level


def _controls(seed: int, distance: str, n_boot: int = 100) -> pd.DataFrame:
    brains, _, control = null_world(np.random.default_rng(seed), CONTROL_DESIGN)
    with threadpool_limits(1):  # many mid-size products: one BLAS thread is fastest (10x here)
        t = control_comparison(brains, control,
                               negative(control, np.random.default_rng(2000 + seed)), n_boot,
                               0.95, Method(distance), np.random.default_rng(1000 + seed),
                               MARGIN, EQ_LEVEL)
    return t.set_index(["control", "measure"])


def test_verdicts_by_equivalence():
    """Positive: pass inside +/- margin (bounds included), fail when the interval excludes 0,
    inconclusive otherwise (a wide interval is no success). Negative: pass above the margin,
    fail when the interval reaches 0, inconclusive in between. No interval: not run."""
    cases = {POSITIVE: [((-0.03, 0.04), "pass"), ((-0.05, 0.05), "pass"),
                        ((0.06, 0.2), "fail"), ((-0.2, -0.06), "fail"), ((0.01, 0.07), "fail"),
                        ((-0.1, 0.1), "inconclusive"), ((-0.01, 0.06), "inconclusive")],
             NEGATIVE: [((0.3, 0.9), "pass"), ((0.051, 0.2), "pass"), ((-0.1, 0.5), "fail"),
                        ((0.0, 0.5), "fail"), ((0.02, 0.5), "inconclusive"),
                        ((0.05, 0.5), "inconclusive")]}
    for control, rows in cases.items():
        for (low, high), expected in rows:
            assert verdict(control, low, high, MARGIN) == expected, (control, low, high)
        assert verdict(control, np.nan, 0.1, MARGIN) == "not run"
        assert verdict(control, -0.1, np.nan, MARGIN) == "not run"


def test_both_controls_pass_with_the_default_distance():
    """Two realisations of the precise null world: for both measures the positive control's
    gap is equivalent to 0 and the negative control's gap lies above the margin, with its HN
    near 0; the table carries the inference and the equivalence intervals."""
    for seed in range(2):
        t = _controls(seed, "crossval_euclidean")
        assert {"gap_bias", "gap_estimate_corrected", "gap_se", "gap_ci_low", "gap_ci_high",
                "gap_p", "gap_eq_low", "gap_eq_high", "hn_eq_low", "hn_eq_high", "margin",
                "verdict"} <= set(t.columns)
        assert (t["margin"] == MARGIN).all()
        for m in MEASURES:
            pos, neg = t.loc[(POSITIVE, m)], t.loc[(NEGATIVE, m)]
            assert pos["verdict"] == "pass" and neg["verdict"] == "pass", (seed, m)
            # the 90 % equivalence interval lies inside the 95 % interval
            assert pos["gap_ci_low"] <= pos["gap_eq_low"] <= pos["gap_eq_high"] <= \
                pos["gap_ci_high"]
            # one shuffled network for all subjects: its HN is 0 give or take a lot (a shuffled
            # RDM keeps each image's row of large or small distances: up to 0.26 here)
            assert abs(neg["hn_estimate_corrected"]) < 0.4 and neg["gap_eq_low"] > 0.3


def test_the_correlation_distance_fails_the_positive_control():
    """The paper's distance in the same world: the positive control's multivariate gap is
    biased by about +0.25 (its interval excludes 0: 'fail'); the univariate measure does not
    use an RDM and still passes."""
    t = _controls(0, "correlation")
    pos = t.loc[(POSITIVE, "multivariate")]
    assert pos["verdict"] == "fail" and pos["gap_eq_low"] > MARGIN
    assert 0.15 < pos["gap_estimate_corrected"] < 0.35
    assert t.loc[(POSITIVE, "univariate"), "verdict"] == "pass"


@pytest.mark.slow
def test_control_verdicts_replicate_over_worlds():
    """Four realisations (100 replicates; the validation stage uses 200): the default
    distance passes both controls in every world and measure; the correlation distance fails
    the positive control's multivariate gap in every world (mean bias 0.2-0.3) and still
    passes the negative control."""
    gaps = []
    for seed in range(4):
        default, corr = (_controls(seed, d) for d in ("crossval_euclidean", "correlation"))
        assert (default["verdict"] == "pass").all(), seed
        assert corr.loc[(POSITIVE, "multivariate"), "verdict"] == "fail", seed
        assert (corr.loc[NEGATIVE, "verdict"] == "pass").all(), seed
        gaps.append(corr.loc[(POSITIVE, "multivariate"), "gap_estimate_corrected"])
    assert 0.2 < np.mean(gaps) < 0.3


def test_controls_need_two_subjects():
    brains, _, control = null_world(np.random.default_rng(3), CONTROL_DESIGN)
    t = control_comparison(brains[:1], control, negative(control, np.random.default_rng(2)),
                           100, 0.95, Method(), np.random.default_rng(1), MARGIN, EQ_LEVEL)
    assert (t["verdict"] == "not run").all() and set(t["control"]) == {POSITIVE, NEGATIVE}


def test_negative_permutes_images_only():
    r = Responses.from_network(np.arange(12.0).reshape(4, 3), np.array([10, 11, 12, 13]),
                               np.arange(3), NetworkId("positive_control", "FFA", True))
    s = negative(r, np.random.default_rng(0))
    assert s.system.model == NEGATIVE and np.array_equal(s.stimuli, r.stimuli)
    assert s.system.kind == "control"
    assert not np.array_equal(s.data, r.data)
    assert sorted(map(tuple, s.data[:, :, 0])) == sorted(map(tuple, r.data[:, :, 0]))


def test_control_brain_round_trip(tmp_path):
    from analysis.demo import brain as demo_brain
    from analysis.demo.write import SubjectTruth, write_control_brain

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
    r = positive("FFA", "faces", 7.0, path)
    assert r.channels.tolist() == [0, 1] and r.stimuli.tolist() == [2, 5, 7]
    assert r.data[:, :, 0].tolist() == [[2.0, 12.0], [5.0, 15.0], [7.0, 17.0]]
    assert r.system.noiseless and r.system.selection.threshold == 7.0
    assert r.system.model == POSITIVE and r.system.kind == "control"
    # on the brains' images, in their order; None when the control lacks one of them
    on = positive("FFA", "faces", 7.0, path, stimuli=np.array([7, 2]))
    assert on.data[:, :, 0].tolist() == [[7.0, 17.0], [2.0, 12.0]]
    assert positive("FFA", "faces", 7.0, path, stimuli=np.array([2, 99])) is None
    assert positive("EBA", "bodies", 7.0, path) is None
    assert positive("FFA", "faces", 7.0, tmp_path / "missing.h5") is None
