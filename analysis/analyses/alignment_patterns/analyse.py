"""The alignment-pattern analysis of loaded systems: per measure (RSA, predictivity) the
region × region alignment, the held-out-subject stability of each pattern, the layer assigned
to each region on one half of the images and scored on the other, the agreement's chance level
and the models' ranks with bootstrap intervals (the method: patterns.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control
from tqdm import tqdm

from analysis import seeds
from analysis.analyses.alignment_patterns import patterns as apa
from analysis.analyses.alignment_patterns.params import AlignmentPatterns
from analysis.errors import InputError
from analysis.methods.predictivity import cv_predict, folds
from analysis.report.format import number
from analysis.responses import Responses, as_brain
from analysis.stats.comparison import MIN_FEATURES, Method, prepare
from analysis.stats.layer_choice import halves

#: A pattern's agreement is a partial correlation over the other regions (one covariate):
#: at least four of them, so five regions.
MIN_REGIONS = 5


def predictivity_alignment(brains: list[Responses], row_systems: list[Responses],
                           halves_: list[tuple[np.ndarray, np.ndarray]], ap: AlignmentPatterns,
                           alphas: list[float], device: str) -> apa.PredictivityAlignment:
    """Out-of-fold predictions of every sampled target voxel from every row system, the
    cross-validation run within each half of the images (the layer-choosing half never trains
    a prediction scored on the evaluating half). alphas: the ridge's relative alphas."""
    n_img = brains[0].n_stimuli
    targets, col = [], []
    for c, b in enumerate(brains):
        who = as_brain(b.system)
        rng = seeds.stream(ap.seed, "targets", who.region, str(who.subject))
        keep = np.sort(rng.choice(b.n_channels, min(b.n_channels, ap.max_channels),
                                  replace=False))
        targets.append(b.mean()[:, keep])
        col.append(np.full(len(keep), c))
    y = np.concatenate(targets, axis=1)
    parts = [h for h, _ in halves_]
    tests = [folds(len(h), ap.folds, seeds.stream(ap.seed, "folds", str(k)))
             for k, h in enumerate(parts)]
    preds = np.empty((len(row_systems), n_img, y.shape[1]), dtype=np.float32)
    for i, r in enumerate(tqdm(row_systems, desc="alignment patterns: predictivity",
                               leave=False)):
        x = r.mean()
        for h, test in zip(parts, tests, strict=True):
            preds[i, h] = cv_predict(x[h], y[h], test, alphas, device)
    return apa.PredictivityAlignment(preds, y, np.concatenate(col), len(brains))


def _rdm(r: Responses, method: Method) -> np.ndarray:
    """A system's RDM as the comparison makes it (the stage loads systems with at least
    MIN_FEATURES varying channels; InputError otherwise)."""
    p = prepare(r, method)
    if p is None:
        raise InputError(f"{r.system}: fewer than {MIN_FEATURES} varying channels, no RDM")
    return p.rdm


def rsa_alignment(brains: list[Responses], row_systems: list[Responses], method: Method
                  ) -> apa.RsaAlignment:
    """The RDMs of every row system and every subject's region, as the comparison makes them
    (``method``)."""
    rows = np.stack([_rdm(r, method) for r in row_systems])
    cols = np.stack([_rdm(b, method) for b in brains])
    return apa.RsaAlignment(rows, cols, brains[0].n_stimuli, method.similarity)


#: The level of the chance band and of the rank intervals (quantiles over permutations and
#: bootstrap draws).
INTERVAL = 0.95
LOW, HIGH = (1 - INTERVAL) / 2, (1 + INTERVAL) / 2


def _mean_over_folds(tables: list[pd.DataFrame]) -> pd.DataFrame:
    t = pd.concat(tables, ignore_index=True)
    return (t.groupby(["system", "region"], sort=False)[["conventional", "conventional_plain",
                                                         "reference", "agreement",
                                                         "agreement_raw"]]
            .mean().reset_index())


def _system_scores(scored: pd.DataFrame) -> pd.DataFrame:
    """Per system: the mean over regions of the conventional scores and the APA agreement."""
    return scored.groupby("system", sort=False)[["conventional", "conventional_plain",
                                                 "agreement"]].mean()


def analyse(measure: apa.RsaAlignment | apa.PredictivityAlignment, rows: pd.DataFrame,
            cols: pd.DataFrame, regions: list[str], ap: AlignmentPatterns, name: str,
            fold_sets: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, pd.DataFrame]:
    """Every table of one measure (module docstring); ``fold_sets``: the (choose, evaluate)
    halves."""
    n_img = int(cols.attrs["n_img"])
    everything = measure.matrix(np.arange(n_img))
    brain = apa.brain_matrix(everything, rows, cols, regions)
    mats = [(measure.matrix(c), measure.matrix(e)) for c, e in fold_sets]
    # the plain RDM correlation beside the partial one (predictivity is plain already)
    plain = [measure.matrix(e, partial=False) if isinstance(measure, apa.RsaAlignment)
             else None for _, e in fold_sets]
    chosen = [apa.choose_layers(c, rows, cols, regions) for c, _ in mats]
    per_fold = [apa.score_layers(e, rows, cols, regions, ch, pl).assign(fold=k)
                for k, ((_, e), ch, pl) in enumerate(zip(mats, chosen, plain, strict=True))]
    stability = pd.concat([apa.held_out_stability(e, rows, cols, regions).assign(fold=k)
                           for k, (_, e) in enumerate(mats)], ignore_index=True)
    stab = stability.groupby(["subject", "region"], sort=False)["agreement"].mean()
    scored = _mean_over_folds(per_fold)
    # chance level: each system's evaluated patterns permuted over the other regions
    # (Freedman-Lane, one permutation for both folds)
    brains_eval = [apa.brain_matrix(e, rows, cols, regions) for _, e in mats]
    null_rows = []
    for (system, region), g in pd.concat(per_fold).groupby(["system", "region"], sort=False):
        triples = []
        for k, (_, e) in enumerate(mats):
            lay = chosen[k].get((system, region))
            if lay is None:
                continue
            i = np.flatnonzero((rows["system"] == system).to_numpy()
                               & (rows["layer"] == lay).to_numpy())[0]
            b = brains_eval[k]
            triples.append((apa.pattern(apa.system_pattern(e[i], cols, regions), region),
                            apa.pattern(b, region), apa.general(b, region)))
        if not triples:
            continue
        null = apa.permuted_agreement(
            triples, seeds.stream(ap.seed, "permutation", name, system, region),
            ap.n_permutations)
        obs = float(g["agreement"].mean())
        null_rows.append({"system": system, "region": region,
                          "null_mean": float(np.nanmean(null)),
                          "null_low": float(np.nanquantile(null, LOW)),
                          "null_high": float(np.nanquantile(null, HIGH)),
                          "p_above_chance": float((1 + np.sum(null >= obs)) /
                                                  (1 + np.isfinite(null).sum()))})
    nulls = pd.DataFrame(null_rows)
    # Benjamini-Hochberg over each system's regions (judged at the calibrated alpha)
    nulls["q_above_chance"] = nulls.groupby("system")["p_above_chance"].transform(
        lambda p: false_discovery_control(p.to_numpy(), method="bh"))
    scored = scored.merge(nulls, on=["system", "region"])
    # rank stability: images resampled within each evaluation half, layers as chosen
    rng = seeds.stream(ap.seed, "bootstrap", name)
    boot = []
    for b in tqdm(range(ap.n_boot), desc=f"alignment patterns: {name} bootstrap",
                  leave=False):
        tables = [apa.score_layers(measure.matrix(rng.choice(e, len(e), replace=True)), rows,
                                   cols, regions, ch)
                  for (_, e), ch in zip(fold_sets, chosen, strict=True)]
        s = _system_scores(_mean_over_folds(tables))
        boot.append(pd.DataFrame({"draw": b, "system": s.index,
                                  "rank_conventional": apa.ranks(s["conventional"]).to_numpy(),
                                  "rank_apa": apa.ranks(s["agreement"]).to_numpy()}))
    boot_t = pd.concat(boot, ignore_index=True)
    layers = pd.concat(per_fold, ignore_index=True)
    return {"brain": brain, "stability": stab.reset_index(), "layers": layers,
            "scored": scored, "boot": boot_t}


def systems_table(scored: pd.DataFrame, boot: pd.DataFrame, rows: pd.DataFrame
                   ) -> pd.DataFrame:
    """Per system: mean conventional score and agreement over regions, their ranks, and the
    bootstrap rank distribution (mean, :data:`INTERVAL` interval, share of draws at the point
    rank)."""
    s = _system_scores(scored)
    out = s.assign(rank_conventional=apa.ranks(s["conventional"]),
                   rank_conventional_plain=apa.ranks(s["conventional_plain"]),
                   rank_apa=apa.ranks(s["agreement"]))
    trained = rows.drop_duplicates("system").set_index("system")["trained"]
    out["trained"] = trained.reindex(out.index).to_numpy()
    out["kind"] = rows.drop_duplicates("system").set_index("system")["kind"].reindex(
        out.index).to_numpy()
    for kind in ("conventional", "apa"):
        g = boot.groupby("system")[f"rank_{kind}"]
        out[f"rank_{kind}_boot_mean"] = g.mean().reindex(out.index)
        out[f"rank_{kind}_boot_low"] = g.quantile(LOW).reindex(out.index)
        out[f"rank_{kind}_boot_high"] = g.quantile(HIGH).reindex(out.index)
        point = out[f"rank_{kind}"]
        out[f"rank_{kind}_stable"] = (boot.assign(point=boot["system"].map(point))
                                      .eval(f"rank_{kind} == point").groupby(boot["system"])
                                      .mean().reindex(out.index))
    return out.reset_index()


def alignment_tables(brains: list[Responses], systems: list[tuple[dict, Responses]],
                     stimuli: np.ndarray, rois: list[str], ap: AlignmentPatterns,
                     method: Method, alphas: list[float], device: str
                     ) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every table and the summary of the analysis (the stage's module docstring). brains:
    every subject's region on ``stimuli``; systems: (row descriptor, responses) of every model
    layer and control region; rois: the regions in order. Returns file stem -> table
    (brain_matrix, stability, layers, systems, ranks) and the summary."""
    row_systems = brains + [r for _, r in systems]
    ids = [as_brain(b.system) for b in brains]
    rows = pd.DataFrame(
        [{"kind": "brain", "system": "brain", "layer": None, "trained": None,
          "subject": i.subject, "region": i.region} for i in ids]
        + [{**d, "subject": None, "region": None} for d, _ in systems])
    cols = pd.DataFrame([{"subject": i.subject, "region": i.region} for i in ids])
    cols.attrs["n_img"] = len(stimuli)
    regions = [r for r in rois if r in set(cols["region"])]
    fold_sets = halves(len(stimuli), seeds.stream(ap.seed, "halves"))
    measures: dict[str, apa.RsaAlignment | apa.PredictivityAlignment] = {
        "rsa": rsa_alignment(brains, row_systems, method),
        "predictivity": predictivity_alignment(brains, row_systems, fold_sets, ap, alphas,
                                               device)}
    tables: dict[str, list[pd.DataFrame]] = {k: [] for k in
                                             ("brain", "stability", "layers", "systems", "boot")}
    summary: dict = {"regions": regions, "n_images": len(stimuli),
                     "calibrated_alpha": ap.calibrated_alpha, "interval": INTERVAL,
                     "subjects": sorted(set(cols["subject"])), "measures": {},
                     "note": "" if len(regions) >= MIN_REGIONS else
                     f"{len(regions)} regions: a pattern over the other regions needs at least "
                     f"{MIN_REGIONS} regions in `rois` for a partial correlation; no agreement"}
    for name, measure in measures.items():
        t = analyse(measure, rows, cols, regions, ap, name, fold_sets)
        brain = t["brain"].rename_axis("region_a").reset_index().melt(
            id_vars="region_a", var_name="region_b", value_name="alignment")
        tables["brain"].append(brain.assign(measure=name))
        tables["stability"].append(t["stability"].assign(measure=name))
        layers = t["layers"].merge(t["scored"][["system", "region", "null_mean", "null_low",
                                                "null_high", "p_above_chance",
                                                "q_above_chance"]],
                                   on=["system", "region"])
        tables["layers"].append(layers.assign(measure=name))
        sys_t = systems_table(t["scored"], t["boot"], rows)
        tables["systems"].append(sys_t.assign(measure=name))
        tables["boot"].append(t["boot"].assign(measure=name))
        summary["measures"][name] = summarise(t, sys_t, regions,
                                              ap.calibrated_alpha)
    return {"brain_matrix": pd.concat(tables["brain"], ignore_index=True).round(6),
            "stability": pd.concat(tables["stability"], ignore_index=True).round(6),
            "layers": pd.concat(tables["layers"], ignore_index=True).round(6),
            "systems": pd.concat(tables["systems"], ignore_index=True).round(6),
            "ranks": pd.concat(tables["boot"], ignore_index=True)}, summary


def summarise(t: dict[str, pd.DataFrame], systems: pd.DataFrame, regions: list[str],
              alpha: float) -> dict:
    """One measure's key numbers: the pattern stability (mean and range over subjects and
    regions), and per system its conventional scores (partial and plain), APA agreement,
    chance level, the regions above chance at ``alpha`` (the calibrated alpha: p, and BH q
    over the system's regions) and ranks."""
    stab = t["stability"]["agreement"]
    scored = t["scored"]
    by_region = t["stability"].groupby("region", sort=False)["agreement"].mean()
    out: dict[str, Any] = {"stability_mean": number(float(stab.mean())),
           "stability_min": number(float(stab.min())),
           "stability_by_region": {r: number(float(by_region.get(r, np.nan)))
                                   for r in regions},
           "reference_conventional": number(float(
               scored.drop_duplicates("region")["reference"].mean())),
           "systems": {}}
    for _, row in systems.iterrows():
        g = scored[scored["system"] == row["system"]]
        out["systems"][row["system"]] = {
            "kind": row["kind"], "trained": bool(row["trained"]),
            "conventional": number(float(row["conventional"])),
            "conventional_plain": number(float(row["conventional_plain"])),
            "agreement": number(float(row["agreement"])),
            "chance_mean": number(float(g["null_mean"].mean())),
            "regions_above_chance": int((g["p_above_chance"] <= alpha).sum()),
            "regions_above_chance_fdr": int((g["q_above_chance"] <= alpha).sum()),
            "rank_conventional": number(float(row["rank_conventional"])),
            "rank_conventional_plain": number(float(row["rank_conventional_plain"])),
            "rank_apa": number(float(row["rank_apa"])),
            "rank_conventional_interval": [number(float(row["rank_conventional_boot_low"])),
                                           number(float(row["rank_conventional_boot_high"]))],
            "rank_apa_interval": [number(float(row["rank_apa_boot_low"])),
                                  number(float(row["rank_apa_boot_high"]))],
            "rank_conventional_stable": number(float(row["rank_conventional_stable"])),
            "rank_apa_stable": number(float(row["rank_apa_stable"]))}
    return out
