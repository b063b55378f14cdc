"""Ground-truth generative model of the synthetic voxel responses (SYNTHETIC DATA).

Model, for voxel v of region R in subject s and image i (category c_i, attribute a_i):

    true_v(i) = kappa_i * (g_v * mu_R(i) + (1 - g_v) * nu_v(i) + lambda * sd(mu_R) * eta_v(i))
    mu_R(i)   = cat_R[c_i] + attr_R[c_i, a_i] + w_R . z_i
    beta_v(i, trial) = amp_v * (true_v(i) + sigma_s * sd_i(true_v) * eps) + drift_v(session)

* ``cat_R``/``attr_R`` are the region's category tuning with the brain's invariances planted:
  FFA responds equally to human and animal faces, EBA equally to exposed and covered bodies,
  PPA less to scenes with people than to scenes without.
* ``z_i`` (k=6) are image-specific features computed from the rendered pixels (a fixed random
  convolutional feature map, ``analysis/demo/features.py``), shared by all subjects, and ``w_R``
  the region's fixed read-out of them: the image-level structure that makes subjects agree. So
  every term but ``eta`` is image-computable (the strength ``kappa`` follows the images' RMS
  contrast): a model that sees the images can predict it, and how much of each region's true
  variance is computable is written to ``truth/model.json`` (``image_computable_share``: the
  variance share of kappa * (g_v mu_R + (1 - g_v) nu_v)).
* ``g_v`` in (0, 1] is the voxel's selectivity (largest at the centre of the region's blob);
  ``nu_v`` a generic visual profile (a random read-out of the same pixel features);
  ``eta_v`` subject-specific idiosyncrasy of weight lambda (not image-computable).
* ``kappa_i`` is image i's strength (real images drive cortex more or less strongly with their
  size, contrast and clutter): log-normal, kappa_i = exp(tau * x_i - tau^2), x_i standard
  normal, tau = ``simulate.image_strength_sd``, so the mean of kappa^2 is about 1 and the
  average signal variance does not change with tau. It is a property of the image: the same
  for every voxel, region and subject (and the control brain), and it follows the image's RMS
  contrast (a pixel statistic, so a model that sees the images can know it): stratified
  (:func:`image_strength`), in each image set (the shared images every subject sees 3 times,
  the other shared images, each subject's own) and category/attribute cell the images take the
  normal quantiles in the order of their contrast, so every cell has the same mean strength.
  Written to ``truth/images.csv`` (column ``image_strength``).
* ``sigma_s`` is subject s's noise SD relative to the signal SD, so ncsnr = 1 / sigma_s; the
  default ``simulate.noise_sd`` puts it at 0.25-0.59, the range of real NSD ventral voxels.
  The noise SD, sigma_s * sd_i(true_v), is fixed per voxel (sd_i over all images, strength
  included) and does not follow kappa_i: weakly driven images have a low signal-to-noise
  ratio, strongly driven ones a high one (their pattern's variance over voxels scales with
  kappa_i^2, the noise's does not).
* The fLOC experiment is simulated from the same tuning: block responses
  g_v * cat_R[domain] + noise, from which t-maps are computed with NSD's formula. Image
  strength does not enter: a fLOC block averages many images, so the t-maps (and the ROIs
  and selections built on them) are the same for every tau.
* Early visual regions read out low-level statistics of the rendered pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

CATEGORIES = ("face", "body", "scene", "object")
ATTRIBUTES = {"face": ("human", "animal"), "body": ("exposed", "covered"),
              "scene": ("people", "nopeople"), "object": ("",)}
#: fLOC domains and the image category that drives each ('characters' has no NSD category).
DOMAINS = {"faces": "face", "bodies": "body", "places": "scene", "characters": None,
           "objects": "object"}
N_LATENT = 6

# Region tuning: response to each category (and characters, for the fLOC simulation) and
# attribute offsets. These are the planted invariances (equal values) and divergences.
TUNING: dict[str, dict] = {
    "FFA": {"cat": {"face": 3.0, "body": 0.8, "scene": 0.0, "object": 0.3, "characters": 0.2},
            "attr": {("face", "human"): 0.0, ("face", "animal"): 0.0}},
    "OFA": {"cat": {"face": 2.4, "body": 0.9, "scene": 0.2, "object": 0.5, "characters": 0.4},
            "attr": {}},
    "EBA": {"cat": {"face": 0.7, "body": 3.0, "scene": 0.2, "object": 0.4, "characters": 0.1},
            "attr": {("body", "exposed"): 0.0, ("body", "covered"): 0.0}},
    "FBA": {"cat": {"face": 0.9, "body": 2.6, "scene": 0.1, "object": 0.4, "characters": 0.1},
            "attr": {}},
    "PPA": {"cat": {"face": 0.0, "body": 0.2, "scene": 3.0, "object": 0.8, "characters": 0.1},
            "attr": {("scene", "people"): -1.2, ("scene", "nopeople"): 0.0}},
    "OPA": {"cat": {"face": 0.1, "body": 0.3, "scene": 2.6, "object": 0.7, "characters": 0.2},
            "attr": {("scene", "people"): -0.8}},
    "RSC": {"cat": {"face": 0.0, "body": 0.1, "scene": 2.4, "object": 0.5, "characters": 0.0},
            "attr": {}},
    "VWFA": {"cat": {"face": 0.5, "body": 0.2, "scene": 0.1, "object": 0.6, "characters": 3.0},
             "attr": {}},
}

# Label volumes: (volume, label, region, centre (x offset from midline, y, z), hemispheres).
BLOBS = [
    ("prf-visualrois", 1, "V1", (1.5, 1.5, 5.5), 2),
    ("prf-visualrois", 2, "V1", (1.5, 1.5, 8.0), 2),
    ("prf-visualrois", 3, "V2", (3.0, 3.0, 4.5), 2),
    ("prf-visualrois", 4, "V2", (3.0, 3.0, 9.0), 2),
    ("prf-visualrois", 5, "V3", (4.5, 4.5, 4.5), 2),
    ("prf-visualrois", 6, "V3", (4.5, 4.5, 9.0), 2),
    ("prf-visualrois", 7, "hV4", (5.0, 6.0, 5.0), 2),
    ("floc-faces", 1, "OFA", (6.0, 6.5, 6.0), 2), ("floc-faces", 2, "FFA", (5.0, 9.5, 4.5), 2),
    ("floc-faces", 3, "FFA", (5.0, 12.0, 4.5), 2),
    ("floc-bodies", 1, "EBA", (6.5, 7.0, 8.5), 2), ("floc-bodies", 2, "FBA", (4.0, 10.5, 6.5), 2),
    ("floc-bodies", 3, "FBA", (4.0, 13.0, 6.5), 2),
    ("floc-places", 1, "OPA", (5.5, 7.5, 10.0), 2), ("floc-places", 2, "PPA", (2.5, 13.0, 5.0), 2),
    ("floc-places", 3, "RSC", (1.5, 11.0, 9.0), 2),
    ("floc-words", 1, "VWFA", (5.5, 8.0, 6.0), 1), ("floc-words", 2, "VWFA", (4.5, 11.0, 5.5), 1),
    ("floc-words", 3, "VWFA", (4.5, 13.5, 5.5), 1),
]
BLOB_RADIUS = 2.2
EARLY = {"V1": 0.0, "V2": 0.1, "V3": 0.2, "hV4": 0.35}  # weight of category information


@dataclass(frozen=True)
class ImageSet:
    """Labels and latent features of the NSD-demo images (index = 0-based 73k id)."""

    category: np.ndarray   # (n,) str
    attribute: np.ndarray  # (n,) str
    latent: np.ndarray     # (n, N_LATENT) image-computable features (features.py)
    lowlevel: np.ndarray   # (n, 4) standardised pixel statistics


def draw_labels(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Balanced categories, and attributes balanced within category, in random order."""
    cats = np.array([CATEGORIES[k % 4] for k in range(n)])
    attrs = np.array([ATTRIBUTES[c][(k // 4) % len(ATTRIBUTES[c])] for k, c in enumerate(cats)])
    order = rng.permutation(n)
    return cats[order], attrs[order]


def image_strength(strata: np.ndarray, sd: float, score: np.ndarray) -> np.ndarray:
    """kappa (n,): log-normal image strengths, exp(sd * x - sd^2) with x standard normal
    (mean exp(-sd^2 / 2), mean square 1; all ones when sd = 0), stratified: within each
    stratum (``strata`` (n,) labels: image set and category/attribute cell) x runs through the
    standard normal quantiles at (k + 0.5) / n_stratum in the order of ``score`` (n,), the
    images' RMS contrast (ties by position), rescaled so that the stratum's mean strength is
    exactly exp(-sd^2 / 2). So strength follows a pixel statistic, and no category or attribute
    is stronger on average by the luck of the draw: the planted invariances hold in each image
    set, not only in expectation."""
    kappa = np.empty(strata.size)
    for label in np.unique(strata):
        idx = np.flatnonzero(strata == label)
        rank = np.argsort(np.argsort(score[idx], kind="stable"), kind="stable")
        k = np.exp(sd * norm.ppf((rank + 0.5) / idx.size))
        kappa[idx] = k / k.mean() * np.exp(-sd**2 / 2)
    return kappa


def lowlevel_features(images: np.ndarray) -> np.ndarray:
    """Standardised pixel statistics (n, 4): luminance, RMS contrast, edge energy, saturation."""
    x = images.astype(np.float64) / 255.0
    lum = x.mean(axis=3)
    feats = np.stack([
        lum.mean(axis=(1, 2)),
        lum.std(axis=(1, 2)),
        np.abs(np.diff(lum, axis=1)).mean(axis=(1, 2))
        + np.abs(np.diff(lum, axis=2)).mean(axis=(1, 2)),
        (x.max(axis=3) - x.min(axis=3)).mean(axis=(1, 2)),
    ], axis=1)
    return (feats - feats.mean(0)) / feats.std(0)


def region_profile(region: str, images: ImageSet, readout: np.ndarray) -> np.ndarray:
    """mu_R(i) for every image: category tuning + attribute offsets + latent read-out."""
    if region in EARLY:
        w = EARLY[region]
        cat = np.array([[1.0, 0.5, -0.5, 0.0]["face body scene object".split().index(c)]
                        for c in images.category])
        return (1 - w) * images.lowlevel @ readout[:4] + w * cat + 0.3 * images.latent @ readout
    t = TUNING[region]
    mu = np.array([t["cat"][c] + t["attr"].get((c, a), 0.0)
                   for c, a in zip(images.category, images.attribute, strict=True)])
    return mu + 0.35 * images.latent @ readout


def domain_response(region: str | None, gain: float) -> np.ndarray:
    """Mean fLOC block response per domain (order of DOMAINS) of a voxel with gain g."""
    if region is None or region in EARLY:
        return np.zeros(len(DOMAINS))
    cat = TUNING[region]["cat"]
    return gain * np.array([cat[c if c else "characters"] for c in DOMAINS.values()])


def floc_tvalues(block_betas: np.ndarray) -> np.ndarray:
    """NSD's fLOC t for each domain against the others.

    block_betas: (n_voxels, n_domains, n_blocks). t = (meanA - meanB) / sqrt(seA^2 + seB^2),
    se = SD (ddof=1) / sqrt(n). Returns (n_voxels, n_domains).
    """
    n_vox, n_dom, n_blk = block_betas.shape
    out = np.empty((n_vox, n_dom))
    for d in range(n_dom):
        a = block_betas[:, d, :]
        b = np.delete(block_betas, d, axis=1).reshape(n_vox, -1)
        se_a = a.std(axis=1, ddof=1) / np.sqrt(a.shape[1])
        se_b = b.std(axis=1, ddof=1) / np.sqrt(b.shape[1])
        out[:, d] = (a.mean(1) - b.mean(1)) / np.sqrt(se_a**2 + se_b**2)
    return out
