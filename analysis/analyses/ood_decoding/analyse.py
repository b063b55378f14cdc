"""Out-of-domain decoding of loaded systems: the neural population's accuracy per domain, each
system's unit curve, the count matching the neural in-domain accuracy, the matched and full
populations' out-of-domain accuracy against the neural one (t-tests, Friedman), the
extrapolation of the neural population and the scaling sweep (the stage's docstring; methods
in decoding.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis import seeds
from analysis.analyses.ood_decoding import decoding as od
from analysis.analyses.ood_decoding.params import OodDecoding
from analysis.report.format import number, p_value

NEURAL = "neural"
#: Unit counts measured one by one (below them the log grid's steps are too coarse to match).
SMALL_COUNTS = 10


def analyse(o: OodDecoding, table: pd.DataFrame, neural: np.ndarray, source: str,
            systems: dict[str, tuple[np.ndarray, str]]) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every table and the summary (the stage's docstring). table: the decoding table
    (analysis.io.ood_neural.table_for); neural: (n_images, n_sites) mean responses; systems:
    name -> (features (n_images, n_units), kind: trained / untrained / control)."""
    alphas = np.asarray(o.alphas)
    n_classes = int(table["label"].max()) + 1
    splits = od.draw_splits(table, o.train_domain, o.splits, o.train_per_class * n_classes,
                            o.test_per_class * n_classes, seeds.stream(o.seed, "splits"))
    neural_acc = od.decode(neural, table, o.train_domain, splits, alphas).assign(system=NEURAL)
    target = float(neural_acc.loc[neural_acc["in_domain"], "accuracy"].mean())
    neural_ood = od.domain_means(neural_acc)
    n_sites = neural.shape[1]
    site_counts = np.union1d(np.minimum(o.site_counts, n_sites), [n_sites])
    neural_curve = od.unit_curve(neural, table, o.train_domain, splits,
                                 np.union1d(_counts(n_sites, o), site_counts), o.draws,
                                 seeds.stream(o.seed, "curve", NEURAL), alphas)
    # at n_sites every draw is the whole population: the curve ends at its own accuracy
    neural_target = pd.Series(*od.in_domain_curve(neural_curve)[::-1])
    by_sites = od.ood_by_count(neural_curve)
    # at least two fitted counts: never a floor above half the population
    fitted = by_sites["count"] >= min(o.fit_min_sites, n_sites // 2)
    fit = od.log_fit(by_sites.loc[fitted, "count"], by_sites.loc[fitted, "mean"])
    curves = [neural_curve.assign(system=NEURAL)]
    extrapolation = [by_sites.assign(system=NEURAL, kind=NEURAL,
                                     site_equivalents=by_sites["count"].astype(float))]
    matched, tests, sweep, rows = [], [], [], [neural_acc.assign(population="neural")]
    for model, (x, kind) in tqdm(systems.items(), desc="ood decoding", leave=False):
        curve = od.unit_curve(x, table, o.train_domain, splits, _counts(x.shape[1], o),
                              o.draws, seeds.stream(o.seed, "curve", model), alphas)
        curves.append(curve.assign(system=model))
        n_match = od.matched_count(*od.in_domain_curve(curve), target)
        reached = bool(np.isfinite(n_match))
        full = od.decode(x, table, o.train_domain, splits, alphas)
        rows.append(full.assign(system=model, population="all units"))
        by_units = od.ood_by_count(curve)
        extrapolation.append(by_units.assign(
            system=model, kind=kind,
            site_equivalents=od.site_equivalents(by_units["count"], n_match / n_sites)))
        sweep.append(od.scaling_sweep(site_counts, neural_target, *od.in_domain_curve(curve),
                                      x.shape[1], float(od.domain_means(full).mean()),
                                      fit).assign(system=model, kind=kind))
        if reached:
            part = od.matched_ood(x, table, o.train_domain, splits, n_match, o.draws,
                                  seeds.stream(o.seed, "matched", model), alphas)
            rows.append(part.drop(columns="n_units").assign(system=model,
                                                            population="matched"))
            model_ood = od.domain_means(part)
            t = od.reference_tests(model_ood.reindex(neural_ood.index).to_numpy(),
                                   neural_ood.to_numpy())
            per_draw = part[~part["in_domain"]].groupby("draw")["accuracy"].mean()
            tests.append({"system": model, "kind": kind, **t.__dict__,
                          "draws_reaching_neural": float(
                              (per_draw >= neural_ood.mean()).mean())})
        matched.append({"system": model, "kind": kind, "n_units_layer": x.shape[1],
                        "target": target, "reached": reached,
                        "matched_units": n_match if reached else np.nan,
                        "resolution_limited": bool(n_match < 2),
                        "units_per_site": n_match / n_sites if reached else np.nan})
    accuracy = pd.concat(rows, ignore_index=True)
    tests_t = pd.DataFrame(tests)
    matched_t = pd.DataFrame(matched)
    sweep_t = pd.concat(sweep, ignore_index=True)
    by_domain = _by_domain(accuracy)
    friedman = {kind: friedman_test(by_domain, matched_t, kind)
                for kind in ("trained", "untrained")}
    summary = _summary(o, source, n_sites, target, neural_ood, by_domain,
                       matched_t, tests_t, friedman)
    summary["extrapolation"] = _extrapolation_summary(o.extrapolate_to, fit, sweep_t, n_sites)
    return {"domains": by_domain, "accuracy": accuracy,
            "curves": _curve_summary(pd.concat(curves, ignore_index=True)),
            "matched": matched_t,
            "tests": tests_t,
            "extrapolation": _extrapolation_table(extrapolation, fit),
            "scaling_sweep": sweep_t[["system", "kind", *sweep_t.columns[:-2]]]}, summary


def _counts(n_units: int, o: OodDecoding) -> np.ndarray:
    """Every count up to SMALL_COUNTS (the matched count lands there when a few units reach
    the neural accuracy), ``o.n_counts`` log-spaced counts above, up to ``n_units``."""
    return np.union1d(np.arange(1, min(SMALL_COUNTS, n_units) + 1),
                      od.count_grid(n_units, o.n_counts, min(o.min_count, n_units)))


def _extrapolation_table(parts: list[pd.DataFrame], fit: od.LogFit) -> pd.DataFrame:
    """Fig 3E's data: per system and count (units; sites for the neural population), the
    count in site-equivalents, the mean and SD over OOD domains of the accuracy, and the
    neural log fit at those site-equivalents (capped at 1)."""
    t = pd.concat(parts, ignore_index=True)
    at = fit.at(t["site_equivalents"].where(t["site_equivalents"] > 0))
    t = t.assign(neural_fit=np.minimum(at, 1.0))
    return t[["system", "kind", "count", "site_equivalents", "mean", "sd", "n_domains",
              "neural_fit"]]


def _extrapolation_summary(extrapolate_to: int, fit: od.LogFit, sweep: pd.DataFrame,
                           n_sites: int) -> dict:
    """The log fit, its value at ``extrapolate_to`` sites (capped at 1), and per system the
    full layer's gap to the extrapolated population (scaling from all ``n_sites`` sites) and
    the gap's range over the sweep."""
    out: dict = {"a": number(fit.a), "b": number(fit.b), "r2": number(fit.r2),
                 "fit_sites": [int(fit.x_min), int(fit.x_max)], "fit_points": fit.n_points,
                 "extrapolate_to": extrapolate_to,
                 "neural_at_extrapolate_to": number(min(float(fit.at(extrapolate_to)), 1.0)),
                 "systems": {}}
    for system, g in sweep.groupby("system", sort=False):
        full = g[g["n_sites"] == n_sites].iloc[0]
        gaps = g["gap"].dropna()
        out["systems"][system] = {
            "kind": str(full["kind"]), "units_per_site": number(float(full["units_per_site"])),
            "site_equiv_all": number(float(full["site_equiv_all"])),
            "model_ood_all": number(float(full["model_ood_all"])),
            "neural_ood_extrapolated": number(float(full["neural_ood_extrapolated"])),
            "gap": number(float(full["gap"])),
            "at_ceiling": bool(full["at_ceiling"]),
            "resolution_limited": bool(full["resolution_limited"]),
            "gap_min_over_sweep": number(float(gaps.min())) if len(gaps) else None,
            "gap_max_over_sweep": number(float(gaps.max())) if len(gaps) else None}
    return out


def _curve_summary(curves: pd.DataFrame) -> pd.DataFrame:
    """Accuracy against the number of units per system and domain: mean, SD and number of
    (unit draw, split) decodings at each count (the per-decoding rows stay in the stage)."""
    g = curves.groupby(["system", "count", "domain", "in_domain"], sort=False)["accuracy"]
    return g.agg(["mean", "std", "size"]).rename(columns={"size": "n"}).reset_index()


def _by_domain(accuracy: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD over splits (and unit draws) per system, population and domain, with the
    difference from the neural population."""
    g = accuracy.groupby(["system", "population", "domain", "in_domain"], sort=False)
    t = g["accuracy"].agg(["mean", "std"]).reset_index()
    neural = t[t["system"] == NEURAL].set_index("domain")["mean"]
    return t.assign(minus_neural=t["mean"] - t["domain"].map(neural))


def friedman_test(by_domain: pd.DataFrame, matched: pd.DataFrame, kind: str) -> od.Friedman:
    """Friedman over the OOD domains of the matched populations' differences from the neural
    one; blocks: the networks of ``kind`` (trained / untrained) that reached the neural
    in-domain accuracy (the paper's test is over trained networks)."""
    systems = matched.loc[(matched["kind"] == kind) & matched["reached"], "system"]
    m = by_domain[(by_domain["population"] == "matched") & ~by_domain["in_domain"]
                  & by_domain["system"].isin(systems)]
    deltas = m.pivot(index="system", columns="domain", values="minus_neural")
    res = od.domain_test(deltas.to_numpy() if len(deltas) else np.empty((0, 0)))
    if res.reason:
        return od.Friedman(res.chi2, res.p, res.n_blocks, res.n_domains,
                           f"n/a: {res.n_blocks} {kind} network(s) reached the neural "
                           f"in-domain accuracy; {res.reason}")
    return res


def _summary(o: OodDecoding, source: str, n_sites: int, target: float,
             neural_ood: pd.Series, by_domain: pd.DataFrame, matched: pd.DataFrame,
             tests: pd.DataFrame, friedman: dict[str, od.Friedman]) -> dict:
    out: dict = {"neural_source": source, "neural_sites": n_sites,
                 "train_domain": o.train_domain, "domains": list(o.domains),
                 "splits": o.splits, "bases_per_class": o.bases_per_class,
                 "neural_in_domain": number(target),
                 "neural_ood_mean": number(float(neural_ood.mean())),
                 "neural_ood_by_domain": {d: number(float(v)) for d, v in neural_ood.items()},
                 "friedman": _friedman_entry(friedman["trained"]),
                 "friedman_untrained": _friedman_entry(friedman["untrained"]),
                 "models": {}, "controls": {}}
    for _, m in matched.iterrows():
        sys_rows = by_domain[by_domain["system"] == m["system"]]
        entry = {"kind": m["kind"], "trained": m["kind"] == "trained",
                 "units_in_layer": int(m["n_units_layer"]),
                 "reached": bool(m["reached"]),
                 "matched_units": number(float(m["matched_units"])),
                 "resolution_limited": bool(m["resolution_limited"]),
                 "units_per_site": number(float(m["units_per_site"]))}
        for pop in ("matched", "all units"):
            r = sys_rows[sys_rows["population"] == pop]
            if len(r):
                key = pop.replace(" ", "_")
                entry[f"{key}_in_domain"] = number(float(r.loc[r["in_domain"], "mean"].mean()))
                entry[f"{key}_ood_mean"] = number(float(r.loc[~r["in_domain"], "mean"].mean()))
        t = tests[tests["system"] == m["system"]] if len(tests) else tests
        if len(t):
            t = t.iloc[0]
            entry.update({"difference": number(float(t["difference"])),
                          "t": number(float(t["t"])), "df": number(float(t["df"])),
                          "p": p_value(float(t["p"])), "welch_p": p_value(float(t["welch_p"])),
                          "draws_reaching_neural": number(float(t["draws_reaching_neural"]))})
        out["controls" if m["kind"] == "control" else "models"][m["system"]] = entry
    return out


def _friedman_entry(f: od.Friedman) -> dict:
    return {"chi2": number(f.chi2), "p": p_value(f.p), "n_models": f.n_blocks,
            "note": f.reason}
