"""A simulated neural population for the out-of-domain decoding analysis (SYNTHETIC DATA).

No out-of-domain neural recordings ship with this project (the macaque IT data of the study
this analysis follows are not public). On the demo and public tiers the neural reference is this
population, built like the simulated brain (analysis/demo/brain.py): site j's response to image
i of class c_i is

    r_j(i) = sqrt(w) * tuning_j[c_i] + sqrt(1 - w) * F(i) . v_j / |v_j|  (+ trial noise)

* ``tuning_j`` (n_classes,) standard normal: class tuning driven by the image's class, the same
  in every image domain (the planted invariance: like the simulated brain's category tuning,
  it stands for what recognition computes from the image);
* ``F(i)`` the fixed random convolutional features of the image's own pixels
  (analysis/demo/features.py, standardised over all images of all domains), read out with
  random weights ``v_j``: the image-computable, domain-sensitive part;
* ``w`` = ``category_weight``; both parts have unit variance over images; trial noise is
  Gaussian with SD ``noise_sd`` (relative to the signal SD), independent over sites and
  repetitions.

So in-domain accuracy depends on the noise and the number of sites, and out-of-domain accuracy
on how much of the class signal the transform leaves in the pixel part: the numbers show that
the pipeline works, not how primate IT generalises.
"""

from __future__ import annotations

import numpy as np

from analysis.demo.features import pixel_features


def features(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The population's image-computable features F: (n, n_features) fixed random
    convolutional features of uint8 images (n, S, S, 3) (S a multiple of 32), standardised."""
    return pixel_features(images, rng)


def simulate(feats: np.ndarray, labels: np.ndarray, n_classes: int, n_sites: int,
             n_reps: int, noise_sd: float, category_weight: float,
             rng: np.random.Generator) -> np.ndarray:
    """(n_images, n_sites, n_reps) responses of ``n_sites`` new sites to images with features
    ``feats`` (:func:`features`) and classes ``labels`` (n,) int in [0, n_classes). Two calls
    with the same features and different generators are two populations of one brain."""
    tuning = rng.normal(size=(n_sites, n_classes))
    readout = rng.normal(size=(feats.shape[1], n_sites))
    pixel = feats @ (readout / np.linalg.norm(readout, axis=0))
    pixel = (pixel - pixel.mean(0)) / np.where(pixel.std(0) > 0, pixel.std(0), 1.0)
    signal = (np.sqrt(category_weight) * tuning[:, labels].T
              + np.sqrt(1.0 - category_weight) * pixel)
    noise = noise_sd * rng.normal(size=(*signal.shape, n_reps))
    return signal[:, :, None] + noise
