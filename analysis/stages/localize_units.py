"""Unit localizer statistics of every model, independent of the threshold (data/units).

For every model and layer: the Welch t of each fLoc domain against the other domains (the
statistic of NSD's fLOC maps), the same t on the second, independent set (localizer2), and the
pairwise-conjunction localizer on fLoc (BY-FDR, `unit_localizer.conjunction_alpha`). Selection at
a threshold happens downstream (select-units, compare, robustness), so a threshold variant does
not recompute these.
"""

from __future__ import annotations

import argparse

from analysis import config, paths
from analysis.atomic import atomic_path
from analysis.io import activation_store, unit_store
from analysis.io.stimulus_sets import localizer_domains
from analysis.methods.localizer import category_t, conjunction


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    alpha = params.unit_localizer.conjunction_alpha
    with atomic_path(paths.UNIT_STATS) as tmp:
        tmp.mkdir()
        for model in params.models:
            pre = params.zoo[model].preprocessing
            assert pre is not None  # config: every model in `models` has one
            floc = activation_store.index("floc", pre)["domain"].to_numpy()
            loc2 = activation_store.index("localizer2", pre)["domain"].to_numpy()
            floc_domains, loc2_domains = localizer_domains(floc), localizer_domains(loc2)
            t, conj = {}, {}
            for lay in activation_store.info(model)["layers"]:
                x1 = activation_store.layer(model, "floc", lay)
                x2 = activation_store.layer(model, "localizer2", lay)
                t[lay] = {"floc": category_t(x1, floc, floc_domains),
                          "localizer2": category_t(x2, loc2, loc2_domains)}
                conj[lay] = {c: conjunction(x1, floc, c, [o for o in floc_domains if o != c],
                                            alpha) for c in floc_domains}
            unit_store.write(tmp / paths.unit_stats(model).name, t, conj)
