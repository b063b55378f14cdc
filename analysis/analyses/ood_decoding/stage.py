"""Out-of-domain linear decoding with unit-count matching (companion analysis; methods in
decoding.py, the tables in analyse.py).

On data/ood/ (stage ood-domains): the neural population's 2AFC accuracy in every domain (decoder
trained on `ood.train_domain`), each model's in-domain accuracy against the number of units
(log-spaced counts, random unit draws), the count that reaches the neural in-domain accuracy,
and the out-of-domain accuracy of populations of that size against the neural one: the paper's
two-sample t-test over domains per model (Student and Welch), the share of the model's unit
draws whose mean OOD accuracy reaches the neural one (the population-sampling view the t-test
lacks), and a Friedman test over domains of the model − neural differences (the trained
networks as blocks; the untrained ones in a test of their own). The paper's Fig 3E and B.3:
the neural population's accuracy against random site subsets (its unit curve), its mean OOD
accuracy fitted by y = a ln(sites) + b (subsets of at least `ood.fit_min_sites` sites) and
extrapolated to `ood.extrapolate_to` sites, every system's mean OOD accuracy (SD over domains)
against its units in site-equivalents, and the gap between each full layer and the
extrapolated population, with the units-per-site scaling determined at each of
`ood.site_counts` neural sites.
Controls, run like a model: positive — the simulated population's twin (twice as many other
sites of the same simulated brain: the matched count should be about the population's size and
the out-of-domain accuracy the same); negative — the first model with its images shuffled
(never reaches the target; accuracy at chance). Every split, unit draw and model has its own
seeded stream. Writes results/analyses/ood_decoding/ (domains.csv, accuracy.csv,
curves.csv: mean and SD per unit count (the neural one over sites), matched.csv, tests.csv,
extrapolation.csv: mean OOD accuracy per count in site-equivalents, scaling_sweep.csv: the gap
per model and number of sites behind the scaling, summary.json).
"""

from __future__ import annotations

import argparse

import h5py
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analysis import config, paths, seeds
from analysis.analyses.ood_decoding.analyse import NEURAL, analyse
from analysis.analyses.ood_decoding.params import OUTPUT, block
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.errors import InputError
from analysis.io.ood_neural import table_for
from analysis.responses import RecordingId, Responses
from analysis.vocabulary import NEGATIVE_CONTROL, POSITIVE_CONTROL


def load(params: config.Params) -> tuple[pd.DataFrame, np.ndarray, str,
                                          dict[str, tuple[np.ndarray, str]]]:
    """(decoding table, neural mean responses (n, sites), its source, system -> (features,
    kind)): every model (kind trained / untrained) and the controls (kind control) —
    positive: the simulated population's twin (twice as many other sites of the same simulated
    brain; only with the simulated population); negative: the first model's features with the
    images shuffled (every image gets another image's features)."""
    labels = pd.read_csv(paths.OOD_DATA / "images.csv")
    with h5py.File(paths.OOD_DATA / "neural.h5", "r") as f:
        data, ids = f["responses"][()], f["stimulus_ids"][()].astype(str)
        twin = f["twin_responses"][()] if "twin_responses" in f else None
        source = str(f.attrs["source"])
    neural = Responses(data, ids, np.arange(data.shape[1]), RecordingId(NEURAL))
    table = table_for(neural, labels, source=str(paths.OOD_DATA / "images.csv"))
    systems: dict[str, tuple[np.ndarray, str]] = {}
    for model in params.models:
        layer = params.zoo[model].penultimate or block(params).layer
        with h5py.File(paths.OOD_DATA / f"{model}.h5", "r") as f:
            x = f[layer]["units"][()].astype(np.float64)
        if len(x) != len(table):
            raise InputError(f"{paths.OOD_DATA / (model + '.h5')} has {len(x)} rows for "
                             f"{len(table)} images: rerun `dvc repro ood-domains`")
        systems[model] = (x[:, x.std(axis=0) > 0],   # a constant unit carries nothing
                          "trained" if params.zoo[model].trained else "untrained")
    if twin is not None:
        systems[POSITIVE_CONTROL] = (twin.mean(axis=2), "control")
    first = systems[params.models[0]][0]
    order = seeds.stream(block(params).seed, "negative-control").permutation(len(first))
    systems[NEGATIVE_CONTROL] = (first[order], "control")
    return table, neural.mean(), source, systems


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    with threadpool_limits(limits=1):  # many small fits: one thread each is fastest
        tables, summary = analyse(block(params), *load(params))
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        for name, t in tables.items():
            write_csv(t.round(6), tmp / f"{name}.csv")
        write_json(summary, tmp / "summary.json")
