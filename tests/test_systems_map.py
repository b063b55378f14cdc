"""Systems map: symmetric corrected similarity matrix; MDS separates planted groups."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from analysis.responses import BrainId, NetworkId
from analysis.stats.comparison import Profile
from analysis.stats.systems_map import mds, similarity_matrix


def test_matrix_and_mds_separate_humans_from_networks():
    rng = np.random.default_rng(0)
    human, net = rng.normal(size=200), rng.normal(size=200)
    profiles = []
    for k in range(6):
        profiles.append((BrainId(k, "FFA"), Profile(human + 0.3 * rng.normal(size=200),
                                                    np.abs(rng.normal(size=10)), 0.9, 0.9)))
    for k in range(4):
        profiles.append((NetworkId(f"net{k}", "layer", True),
                         Profile(net + 0.3 * rng.normal(size=200), np.abs(rng.normal(size=10)),
                                 1.0, 1.0)))
    sim = similarity_matrix(profiles, "univariate")
    assert np.allclose(sim.to_numpy(), sim.to_numpy().T) and np.allclose(np.diag(sim), 1)
    assert sim.loc["S0 FFA", "S1 FFA"] > 0.8 and abs(sim.loc["S0 FFA", "net0"]) < 0.2
    # each cell is the pair's r / norm (a brain's reliability 0.9, a network's 1)
    (_, s0), (_, s1), (_, n0) = profiles[0], profiles[1], profiles[6]
    assert sim.loc["S0 FFA", "S1 FFA"] == pytest.approx(
        scipy.stats.pearsonr(s0.univariate, s1.univariate).statistic / 0.9, rel=1e-10)
    assert sim.loc["S0 FFA", "net0"] == pytest.approx(
        scipy.stats.pearsonr(s0.univariate, n0.univariate).statistic / np.sqrt(0.9), rel=1e-10)
    emb = mds(sim, seed=0).set_index("system")
    h, n = emb.loc[emb.index.str.startswith("S")], emb.loc[emb.index.str.startswith("net")]
    within = max(np.ptp(h["x"]), np.ptp(n["x"]), np.ptp(h["y"]), np.ptp(n["y"]))
    between = np.hypot(h["x"].mean() - n["x"].mean(), h["y"].mean() - n["y"].mean())
    assert between > within
    assert isinstance(emb, pd.DataFrame)


def test_systems_without_a_defined_similarity_are_left_out_of_the_map():
    names = ["S1 FFA", "S2 FFA", "net0", "net1"]
    sim = pd.DataFrame(np.full((4, 4), 0.5) + 0.5 * np.eye(4), index=names, columns=names)
    sim.loc["S1 FFA", "net0"] = sim.loc["net0", "S1 FFA"] = np.nan
    assert mds(sim, seed=0).empty  # both rows with a NaN go: two systems are too few for a map
    sim.loc["S1 FFA", "net0"] = sim.loc["net0", "S1 FFA"] = 0.2
    assert mds(sim, seed=0)["system"].tolist() == names


def test_the_committed_map_has_one_region_per_subject():
    """Two regions of one subject share trials and noise: the map holds one region per
    category (the main one), so no cell pairs a subject with itself."""
    from pathlib import Path

    for path in sorted(Path("results/systems_map").glob("*_univariate.csv")):
        humans = [s for s in pd.read_csv(path)["system"] if s.startswith("S")]
        subjects = [s.split()[0] for s in humans]
        assert humans and len(subjects) == len(set(subjects)), path
