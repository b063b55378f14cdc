"""The 92-image check: real human-IT RDMs load in the right order; corrections behave."""

from pathlib import Path

import numpy as np
import pytest

from analysis.responses import NetworkId
from analysis.stats.rsa92 import compare, human_reliability, load_human_rdms

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
