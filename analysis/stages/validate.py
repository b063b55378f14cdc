"""Validation on simulated worlds with a known answer (results/validation/): the comparison's
estimators, inference and controls run on a null world, a world with a planted gap and a
precise null world for the controls (analysis.validation); Finding 1's comparative test on
worlds with a shared low-level feature (localizer_*.csv) and Finding 5's generalisation on null
and planted worlds (divergence_worlds.csv). The numbers feed the manuscript's Validation
section; the same worlds are asserted in tests/test_gap_inference.py,
tests/test_localizer_comparative.py and tests/test_divergence.py. Independent of the data tier:
nothing here reads brain or network data."""

from __future__ import annotations

import argparse

from threadpoolctl import threadpool_limits

from analysis import config, paths
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.validation import divergence, localizer
from analysis.validation.comparison import (
    control_worlds,
    null_worlds,
    planted_worlds,
    summary,
)


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    with threadpool_limits(limits=1):  # many small products: one BLAS thread is fastest
        v, cmp = params.validation, params.comparison
        null = null_worlds(v.null_worlds, v.n_boot, cmp.ci_level, v.seed)
        planted = planted_worlds(v.planted_worlds, v.n_boot, cmp.ci_level, v.seed)
        controls = control_worlds(v.control_worlds, v.n_boot, cmp.ci_level, cmp.equivalence_margin,
                                  cmp.equivalence_level, v.seed)
        loc, loc_boot = localizer.validation_tables(v.localizer_worlds, v.localizer_network_draws,
                                                    v.localizer_realisations, v.seed)
        div = divergence.validation_table(v.divergence_worlds, v.divergence_planted_worlds,
                                          cmp.ci_level, v.seed)
        with atomic_path(paths.VALIDATION) as tmp:
            tmp.mkdir()
            write_csv(null, tmp / "null_worlds.csv")
            write_csv(planted, tmp / "planted_worlds.csv")
            write_csv(controls, tmp / "control_worlds.csv")
            for table, name in ((loc, "localizer_worlds"), (loc_boot, "localizer_bootstrap"),
                                (div, "divergence_worlds")):
                write_csv(table, tmp / f"{name}.csv", float_format="%.4g")  # p: 4 digits suffice
            write_json({**summary(null, planted, controls),
                        "localizer": localizer.summary(
                            loc, loc_boot, params.unit_localizer.generalisation_alpha),
                        "divergence": divergence.summary(div, 1 - cmp.ci_level)},
                       tmp / "summary.json")
