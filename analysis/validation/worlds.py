"""Simulated worlds of subjects and networks with a known human-human vs human-network gap.

Every world has what a bias hides in (not only i.i.d. noise): image signal strength that varies
across images (a log-normal gain per image, the same in every system), noise correlated across a
subject's voxels (a shared component per trial), NSD's per-voxel ncsnr range (0.25-0.6) and
three repetitions; brain voxels are z-scored per subject over images and repetitions, as NSD's
betas are per session. Image features are drawn i.i.d. from one population in every world, so
realisations of a world are samples from one population of images (and of subjects).

* :func:`null_world` — every subject's voxels share one true pattern matrix; the network is that
  truth with an arbitrary positive scale per unit (a network unit's scale means nothing). The
  true HH, HN and gap are 1, 1 and 0 by construction, whatever the images.
* :func:`idiosyncratic_world` — subjects read the latent features with weights of their own
  around the population's; the network reads them with fixed weights of its own. The
  population gap is a number (:func:`population_gap`), not 0.

Shapes follow :class:`analysis.responses.Responses`: (images, voxels or units, repetitions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import pdist

from analysis.responses import BrainId, NetworkId, Responses

N_LATENT = 8
N_REPS = 3


@dataclass(frozen=True)
class Design:
    """The sizes and noise of a world: subjects, images, voxels (= network units), the range
    of per-voxel ncsnr (each subject's drawn uniformly within it, or spread evenly over it when
    ``spread``), the correlation of trial noise across a subject's voxels, the SD of the
    log image gain, and the SD of the log scale of the network's units."""

    n_subjects: int = 8
    n_images: int = 91
    n_voxels: int = 40
    ncsnr: tuple[float, float] = (0.25, 0.6)
    spread: bool = False
    noise_correlation: float = 0.02
    strength_sd: float = 0.5
    unit_scale_sd: float = 1.0


def _images(rng: np.random.Generator, d: Design) -> tuple[np.ndarray, np.ndarray]:
    """Latent image features (n_images, N_LATENT) and image gains (n_images, 1)."""
    return (rng.normal(size=(d.n_images, N_LATENT)),
            np.exp(d.strength_sd * rng.normal(size=(d.n_images, 1))))


def _truth(latent: np.ndarray, gain: np.ndarray, weights: np.ndarray, strength_sd: float
           ) -> np.ndarray:
    """True responses (n_images, n_channels) = gain x latent read-out, each channel scaled to
    a population SD of 1 (not the sample's: images are a sample)."""
    population_sd = np.exp(strength_sd**2) * np.sqrt((weights**2).sum(0))
    return gain * (latent @ weights) / population_sd


def _measured(rng: np.random.Generator, truth: np.ndarray, ncsnr: float, d: Design
              ) -> np.ndarray:
    """Three noisy repetitions of ``truth`` with noise SD 1 / ncsnr (shared across voxels with
    ``noise_correlation``), z-scored per voxel over images and repetitions."""
    n_img, n_vox = truth.shape
    c = d.noise_correlation
    noise = (np.sqrt(c) * rng.normal(size=(n_img, 1, N_REPS))
             + np.sqrt(1 - c) * rng.normal(size=(n_img, n_vox, N_REPS))) / ncsnr
    x = truth[:, :, None] + noise
    return (x - x.mean((0, 2), keepdims=True)) / x.std((0, 2), keepdims=True)


def _ncsnr(rng: np.random.Generator, d: Design) -> np.ndarray:
    lo, hi = d.ncsnr
    return np.linspace(lo, hi, d.n_subjects) if d.spread else rng.uniform(lo, hi, d.n_subjects)


def _brain(x: np.ndarray, subject: int) -> Responses:
    return Responses(x, np.arange(x.shape[0]), np.arange(x.shape[1]), BrainId(subject, "FFA"))


def _network(acts: np.ndarray, name: str = "net", trained: bool = True) -> Responses:
    return Responses.from_network(acts, np.arange(acts.shape[0]), np.arange(acts.shape[1]),
                                  NetworkId(name, "layer", trained))


def null_world(rng: np.random.Generator, d: Design = Design()
               ) -> tuple[list[Responses], Responses, Responses]:
    """Subjects sharing one truth, the network (truth x random unit scales) and the noise-free
    truth itself as a positive control (a subject without noise, its voxels also given random
    scales): (brains, network, control)."""
    latent, gain = _images(rng, d)
    weights = rng.normal(size=(N_LATENT, d.n_voxels)) + 0.7  # a shared mean: a univariate signal
    truth = _truth(latent, gain, weights, d.strength_sd)
    snr = _ncsnr(rng, d)
    brains = [_brain(_measured(rng, truth, snr[s], d), s + 1) for s in range(d.n_subjects)]
    scales = np.exp(d.unit_scale_sd * rng.normal(size=(2, d.n_voxels)))
    return (brains, _network(truth * scales[0]),
            _network(truth * scales[1], "positive_control"))


#: The idiosyncratic world's fixed population: mean read-out, the network's own read-out and
#: its unit scales (drawn once, so realisations vary subjects, images and noise only).
_POP = np.random.default_rng(20261202)
_W0 = _POP.normal(size=(N_LATENT, 40)) + 0.7
_W_NET = _POP.normal(size=(N_LATENT, 40))
_NET_SCALES = np.exp(_POP.normal(size=40))


def idiosyncratic_world(rng: np.random.Generator, subject_sd: float = 2.0,
                        network_sd: float = 4.0, d: Design = Design(n_voxels=40)
                        ) -> tuple[list[Responses], Responses]:
    """Subjects whose read-out is the population's plus their own (SD ``subject_sd``), and a
    network whose read-out is the population's plus a fixed deviation (SD ``network_sd``):
    (brains, network). 40 voxels/units."""
    latent, gain = _images(rng, d)
    snr = _ncsnr(rng, d)
    brains = []
    for s in range(d.n_subjects):
        w = _W0 + subject_sd * rng.normal(size=_W0.shape)
        brains.append(_brain(_measured(rng, _truth(latent, gain, w, d.strength_sd), snr[s], d),
                             s + 1))
    net = _truth(latent, gain, _W0 + network_sd * _W_NET, d.strength_sd) * _NET_SCALES
    return brains, _network(net)


#: The population the planted world's gap is computed from (noise-free subjects x images).
POPULATION_SUBJECTS = 60
POPULATION_IMAGES = 1500


def population_gap(subject_sd: float = 2.0, network_sd: float = 4.0,
                   n_subjects: int = POPULATION_SUBJECTS, n_images: int = POPULATION_IMAGES,
                   n_rdm_images: int = 600, strength_sd: float = 0.5,
                   seed: int = 7) -> dict[str, tuple[float, float, float]]:
    """The idiosyncratic world's population HH, HN and gap per measure, from noise-free
    systems: many subjects and images; univariate: Pearson r of the mean z-scored profiles;
    multivariate: Pearson r of the squared Euclidean RDMs (per channel) of the z-scored
    channels on ``n_rdm_images`` of the images."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n_images, N_LATENT))
    gain = np.exp(strength_sd * rng.normal(size=(n_images, 1)))

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean(0)) / x.std(0)

    subjects = [z(_truth(latent, gain, _W0 + subject_sd * rng.normal(size=_W0.shape),
                         strength_sd)) for _ in range(n_subjects)]
    net = z(_truth(latent, gain, _W0 + network_sd * _W_NET, strength_sd))
    out = {}
    for measure, f in (("univariate", lambda x: x.mean(1)),
                       ("multivariate", lambda x: pdist(x[:n_rdm_images], "sqeuclidean"))):
        c = np.corrcoef(np.vstack([f(x) for x in subjects] + [f(net)]))
        hh = float(c[:n_subjects, :n_subjects][np.triu_indices(n_subjects, 1)].mean())
        hn = float(c[:n_subjects, n_subjects].mean())
        out[measure] = (hh, hn, hh - hn)
    return out
