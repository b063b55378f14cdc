"""The synthetic NSD: written in NSD's formats, deterministic, and consistent with its truth."""

import hashlib
import json
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from analysis.config import BrainSource
from analysis.demo.brain import lowlevel_features
from analysis.demo.write import simulate
from analysis.io.nsd import layout
from analysis.io.nsd.design import load_design
from analysis.io.prepare_brain import prepare

CFG = {"sessions_per_subject": [3, 3, 2, 2, 3, 2, 3, 2], "trials_per_session": 108,
       "n_shared": 96, "n_own": 12, "grid": [18, 20, 14], "image_size": 32,
       "noise_sd": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2], "idiosyncrasy": 0.15,
       "image_strength_sd": 0.5, "control_unit_scale_sd": 0.6,
       "floc_images_per_subcategory": 2, "localizer2_images_per_category": 2, "floc_runs": 6,
       "identities": 2, "images_per_identity": 2,
       "floc_noise_sd": 0.8}
DEFS = {"FFA": {"volume": "floc-faces", "labels": [2, 3], "contrast": "faces"},
        "PPA": {"volume": "floc-places", "labels": [2], "contrast": "places"},
        "EBA": {"volume": "floc-bodies", "labels": [1], "contrast": "bodies"}}


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.relative_to(root).parts[0] in ("nsd", "stimuli", "truth"):
            h.update(str(p.relative_to(root)).encode() + p.read_bytes())
    return h.hexdigest()


def simulated_and_prepared(out: Path, seed: int, defs: dict) -> np.ndarray:
    """Simulate the CFG world into ``out`` and prepare its stores of the regions ``defs``
    (out/prepared); the shared image ids."""
    simulate(out, CFG, seed=seed)
    src = BrainSource(out / "nsd", dict(enumerate(CFG["sessions_per_subject"], 1)),
                      CFG["trials_per_session"], synthetic=True)
    shared, _ = prepare(src, load_design(layout.expdesign(src.root)), defs, list(defs),
                        "shared515", "auto", out / "prepared")
    return shared


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, simulated_and_prepared(out, 7, DEFS)


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    """The same world (seed) with every image equally strong and the control brain's voxels
    at their own scale."""
    out = tmp_path_factory.mktemp("flat")
    simulate(out, {**CFG, "image_strength_sd": 0.0, "control_unit_scale_sd": 0.0}, seed=7)
    return out


def _control(out: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Control brain: responses/shared (n_vox, n_img), its image ids, voxels/unit_scale and
    voxels/t_faces."""
    with h5py.File(out / "truth/control_brain.h5") as f:
        return (f["responses/shared"][()], f["images/shared"][()], f["voxels/unit_scale"][()],
                f["voxels/t_faces"][()])


def test_simulation_is_deterministic(demo, tmp_path):
    out, _ = demo
    simulate(tmp_path, CFG, seed=7)
    assert _tree_digest(tmp_path) == _tree_digest(out)


def test_both_beta_layouts_are_written(demo):
    out, _ = demo
    assert layout.betas(out / "nsd", 1, 1, "nifti").is_file()
    assert layout.betas(out / "nsd", 2, 1, "hdf5").is_file()
    with h5py.File(layout.stimulus_brick(out / "nsd")) as f:
        assert f["imgBrick"].shape == (96 + 8 * 12, 32, 32, 3)
        assert f["imgBrick"].dtype == np.uint8


def test_ncsnr_matches_each_subjects_planted_noise(demo):
    out, _ = demo
    for s in (1, 8):
        with h5py.File(out / f"prepared/subj{s:02d}.h5") as f:
            nc = np.median(f["voxels/ncsnr"][()])
        assert nc == pytest.approx(1 / CFG["noise_sd"][s - 1], rel=0.2)


def _category_means(out: Path, s: int, roi: str, contrast: str, shared) -> pd.Series:
    truth = pd.read_csv(out / "truth/images.csv").set_index("nsd_id")
    with h5py.File(out / f"prepared/subj{s:02d}.h5") as f:
        idx = f[f"roi/{roi}"][()]
        t = f[f"voxels/t_{contrast}"][()][idx]
        prof = np.nanmean(f["responses/shared"][()][idx[t > 3]], axis=(0, 2))
    labels = truth.loc[shared, "category"] + "/" + truth.loc[shared, "attribute"].fillna("")
    return pd.Series(prof, index=labels.to_numpy()).groupby(level=0).mean()


def test_regions_show_their_planted_tuning_and_invariances(demo):
    out, shared = demo
    ffa = pd.concat([_category_means(out, s, "FFA", "faces", shared) for s in range(1, 9)],
                    axis=1).mean(1)
    faces = ffa[["face/human", "face/animal"]]
    assert faces.min() > ffa.drop(faces.index).max()  # face selective
    assert abs(faces["face/human"] - faces["face/animal"]) < 0.25  # planted invariance
    ppa = pd.concat([_category_means(out, s, "PPA", "places", shared) for s in range(1, 9)],
                    axis=1).mean(1)
    assert ppa["scene/nopeople"] - ppa["scene/people"] > 0.3  # planted people effect


def test_roi_voxels_have_positive_t_like_nsds_hand_drawn_rois(demo):
    out, _ = demo
    with h5py.File(out / "prepared/subj03.h5") as f:
        assert (f["voxels/t_faces"][()][f["roi/FFA"][()]] > 0).all()
        assert (f["voxels/t_places"][()][f["roi/PPA"][()]] > 0).all()


def test_simulated_responses_are_image_computable(demo):
    """Every term of the truth but the idiosyncratic one is a function of the pixels: the
    latent features of held-out images are predicted from their pixels by a linear read-out
    fitted on other images, and the recorded computable share is high but below 1."""
    from analysis.demo.features import latent_features, pixel_features
    out, _ = demo
    with h5py.File(layout.stimulus_brick(out / "nsd")) as f:
        brick = f["imgBrick"][()]
    feats = pixel_features(brick, np.random.default_rng(3))
    z = latent_features(brick, 6, np.random.default_rng(3))
    train, test = np.arange(0, len(brick), 2), np.arange(1, len(brick), 2)
    design = np.c_[feats, np.ones(len(brick))]
    coef, *_ = np.linalg.lstsq(design[train], z[train], rcond=None)
    resid = z[test] - design[test] @ coef
    assert (1 - resid.var(0) / z[test].var(0)).min() > 0.95  # fewer images than features
    # a permuted image order breaks it: the features carry image information
    perm = np.random.default_rng(0).permutation(len(test))
    resid = z[test][perm] - design[test] @ coef
    assert (1 - resid.var(0) / z[test].var(0)).max() < 0.5
    # the strength follows the images' RMS contrast (a pixel statistic), so the truth stays
    # image-computable apart from the idiosyncratic part
    share = json.loads((out / "truth/model.json").read_text())["subjects"][0][
        "image_computable_share"]
    assert all(0.8 < v <= 1.0 for k, v in share.items() if k not in ("V1", "V2", "V3", "hV4"))
    kappa = pd.read_csv(out / "truth/images.csv")["image_strength"].to_numpy()
    contrast = lowlevel_features(brick)[:, 1]
    assert np.corrcoef(np.log(kappa), contrast)[0, 1] > 0.5


def test_default_demo_noise_matches_real_nsd_ventral_voxels():
    """The default simulate.noise_sd gives ncsnr = 1 / noise_sd of 0.2-0.6 (real NSD ventral
    voxels), so the demo's noise ceilings are in the real data's range."""
    from analysis import config
    noise = np.array(config.load_params(Path("params.yaml")).simulate.noise_sd)
    assert ((1 / noise >= 0.2) & (1 / noise <= 0.6)).all()


def test_image_strength_and_unit_scales_multiply_the_control_brains_truth(demo, flat):
    """control_brain.h5 = unit_scale[v] * kappa_i * (the same subject with equal image
    strengths): each image's pattern over voxels has variance kappa_i^2 times its flat one,
    each voxel's scale is recoverable from voxels/unit_scale (log-SD control_unit_scale_sd),
    and the fLOC t (hence ROIs and selections) do not change."""
    out, _ = demo
    resp, ids, scale, t = _control(out)
    resp0, ids0, scale0, t0 = _control(flat)
    kappa = pd.read_csv(out / "truth/images.csv").set_index("nsd_id")["image_strength"]
    k = kappa.loc[ids].to_numpy()
    assert np.array_equal(ids, ids0) and np.array_equal(t, t0) and (scale0 == 1).all()
    assert (pd.read_csv(flat / "truth/images.csv")["image_strength"] == 1).all()
    np.testing.assert_allclose(resp, scale[:, None] * resp0 * k[None, :], rtol=1e-10)
    np.testing.assert_allclose((resp / scale[:, None]).var(0) / resp0.var(0), k**2, rtol=1e-8)
    assert k.std() > 0.2
    assert np.log(scale).std() == pytest.approx(CFG["control_unit_scale_sd"], abs=0.05)
    tmap = layout.ppdata(out / "nsd", 1) / "floc_facestval.nii.gz"
    assert tmap.read_bytes() == (layout.ppdata(flat / "nsd", 1) / tmap.name).read_bytes()


def test_image_strength_is_stratified_log_normal(demo):
    """Within the analysed shared images every category/attribute cell has the same mean
    strength exp(-sd^2 / 2) (no planted invariance broken by the draw); log strength has
    SD close to image_strength_sd (the test's cells are small, which shrinks it)."""
    out, shared = demo
    kappa = pd.read_csv(out / "truth/images.csv").set_index("nsd_id").loc[shared]
    sd = CFG["image_strength_sd"]
    cells = kappa.fillna({"attribute": ""}).groupby(["category", "attribute"])["image_strength"]
    np.testing.assert_allclose(cells.mean(), np.exp(-sd**2 / 2), rtol=1e-12)
    assert 0.7 * sd < np.log(kappa["image_strength"]).std() < 1.1 * sd


def test_trial_noise_does_not_follow_image_strength(demo):
    """Strongly driven images have more signal over voxels (about kappa^2), the same trial
    noise: the noise SD is fixed per voxel, so weak images have a low SNR."""
    out, shared = demo
    k = pd.read_csv(out / "truth/images.csv").set_index("nsd_id").loc[
        shared, "image_strength"].to_numpy()
    strong = k >= np.median(k)
    k2_ratio = (k[strong] ** 2).mean() / (k[~strong] ** 2).mean()
    for s in (1, 8):
        with h5py.File(out / f"prepared/subj{s:02d}.h5") as f:
            resp = f["responses/shared"][()]  # (n_vox, n_img, 3), z-scored
        noise = resp.var(axis=2, ddof=1).mean(0)
        signal = resp.mean(2).var(0) - noise / 3
        assert 0.85 < noise[strong].mean() / noise[~strong].mean() < 1.15
        assert 0.5 * k2_ratio < signal[strong].mean() / signal[~strong].mean() < 1.5 * k2_ratio
