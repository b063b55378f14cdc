"""Category-selective units at the threshold and at an equal number of units (Finding 1;
results/network/localizer).

For every model and layer: the number of units selected by the fLoc localizer (t > threshold,
`unit_localizer.threshold_untrained` for untrained networks if set), by the conjunction
localizer and by localizer2; whether fLoc-selected units prefer their category on localizer2
more than the same selection on permuted fLoc labels (generalisation); the overlap of the two
localizers at the threshold, at equal images per category and for equal-size top-k sets, each
against chance; and the category profile of the fLoc-selected units on localizer2.

Finding 1's decision is comparative (analysis.stats.localizer_comparative): every network's
top-`unit_localizer.top_k` units (equal k for all networks) give its generalisation t and its
localizer overlap, each compared with the matched untrained networks (same architecture and
preprocessing, other seeds; for an untrained network the other untrained seeds), with a paired
image bootstrap of both sets (`unit_localizer.bootstrap_draws`; the same draws for every
network of a preprocessing) and the seeds' spread. Random numbers come from one stream per
model/layer/category (`unit_localizer.seed`) and one per image set for the bootstrap.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analysis import config, paths, seeds
from analysis.atomic import atomic_path, write_csv, write_json
from analysis.io import activation_store, unit_store
from analysis.io.stimulus_sets import localizer_domains
from analysis.report.format import number, p_value
from analysis.selection import above
from analysis.stats.localizer import (
    generalisation,
    permuted_top_k_overlap,
    subsampled_category_t,
)
from analysis.stats.localizer_comparative import (
    COMPARATIVE_COLUMNS,
    compare_to_untrained,
    stratified_bootstrap_weights,
    top_k_generalisation,
)
from analysis.stats.localizer_tables import (
    category_profile,
    count,
    matched_overlap,
    overlap,
    top_k,
    top_k_overlap,
)
from analysis.stats.standardize import zscore_columns

TABLES = ("counts", "generalisation", "venn", "profiles")
PROFILE_COLUMNS = ["model", "display", "trained", "seed", "threshold", "layer", "selected_for",
                   "image_category", "mean_z"]


def select_model(model: str, params: config.Params
                 ) -> tuple[dict[str, list[dict]], dict[tuple[str, str, str], np.ndarray]]:
    """The rows of every table (TABLES) for one model, and the bootstrap replicates of its
    equal-k generalisation t: (model, layer, category) -> (bootstrap_draws,)."""
    meta = activation_store.info(model)
    thr = params.unit_threshold(meta["trained"])
    ul = params.unit_localizer
    pre = params.zoo[model].preprocessing
    assert pre is not None  # config: every model in `models` has one
    floc = activation_store.index("floc", pre)["domain"].to_numpy()
    loc2 = activation_store.index("localizer2", pre)["domain"].to_numpy()
    floc_domains, loc2_domains = localizer_domains(floc), localizer_domains(loc2)
    tested = [c for c in floc_domains if c in loc2_domains]
    loc2_per_category = min(int((loc2 == c).sum()) for c in loc2_domains)
    w1, w2 = (image_weights(name, labels, pre, ul) for name, labels in
              (("floc", floc), ("localizer2", loc2)))
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    replicates: dict[tuple[str, str, str], np.ndarray] = {}
    base = {"model": model, "display": meta["display"], "trained": meta["trained"],
            "seed": meta["seed"], "threshold": thr}
    for lay in meta["layers"]:
        x1 = activation_store.layer(model, "floc", lay)
        x2 = activation_store.layer(model, "localizer2", lay)
        z2 = zscore_columns(x2)
        t_equal_k = top_k_generalisation(x1, floc, floc_domains, x2, loc2, tested, ul.top_k,
                                         w1, w2)
        for cat in floc_domains:
            t1 = unit_store.t_values(model, lay, "floc", cat)
            sel = {"floc": above(t1, thr),
                   "floc_conjunction": unit_store.conjunction(model, lay, cat)}
            if cat in loc2_domains:
                t2 = unit_store.t_values(model, lay, "localizer2", cat)
                sel["localizer2"] = above(t2, thr)
            for name, mask in sel.items():
                rows["counts"].append({**base, "layer": lay, "localizer": name, "category": cat,
                                       **count(mask)})
            if cat not in loc2_domains:
                continue
            key = {**base, "layer": lay, "category": cat}
            replicates[model, lay, cat] = t_equal_k[cat][1:]
            rows["generalisation"].append({**key, **generalisation(
                x1, floc, floc_domains, z2, loc2, cat, sel["floc"], np.isfinite(t1),
                ul.generalisation_draws,
                seeds.stream(ul.seed, "generalisation", model, lay, cat)),
                "k_equal": ul.top_k, "t_equal_k": t_equal_k[cat][0],
                "se_images_equal_k": float(np.std(t_equal_k[cat][1:], ddof=1))})
            rng = seeds.stream(ul.seed, "overlap", model, lay, cat)
            # same contrast as localizer2's: its categories, its images per category
            t1_matched = subsampled_category_t(x1, floc, cat, loc2_domains, loc2_per_category,
                                               ul.overlap_subsamples, rng)
            k = int(min(sel["floc"].sum(), sel["localizer2"].sum()))
            rows["venn"].append({**key, **overlap(sel["floc"], sel["localizer2"]),
                                 **matched_overlap(t1_matched, t2, thr),
                                 **_top_k_overlap(t1, t2, k, x2, loc2, cat, loc2_domains,
                                                  ul.overlap_permutations, rng),
                                 **_equal_k_overlap(t1, t2, ul.top_k)})
            for image_cat, z in category_profile(x2, loc2, sel["floc"], loc2_domains).items():
                rows["profiles"].append({**base, "layer": lay, "selected_for": cat,
                                         "image_category": image_cat, "mean_z": z})
    return rows, replicates


def image_weights(stim_set: str, labels: np.ndarray, preprocessing: str | None,
                  ul: config.UnitLocalizer) -> np.ndarray:
    """(1 + bootstrap_draws, n_images) image counts: the observed set (ones), then the
    replicates, resampled within each label; one stream per set and preprocessing, so every
    network that sees these images gets the same draws (paired)."""
    rng = seeds.stream(ul.seed, "image-bootstrap", stim_set, str(preprocessing))
    return np.vstack([np.ones(len(labels)),
                      stratified_bootstrap_weights(labels, ul.bootstrap_draws, rng)])


def _equal_k_overlap(t1: np.ndarray, t2: np.ndarray, k: int) -> dict[str, float]:
    """Overlap of the k units ranked highest by fLoc's t1 and by localizer2's t2 (k equal for
    every network): the intersection, its chance level and their difference over k."""
    r = top_k_overlap(t1, t2, k)
    return {"k_equal": k, "both_equal_k": r["both_top_k"],
            "expected_equal_k": r["expected_top_k"],
            "excess_equal_k": (r["both_top_k"] - r["expected_top_k"]) / k}


def architecture(entry: config.ZooEntry) -> str:
    """A network's architecture and preprocessing, which matched networks share: the model
    name without a pretrained tag (timm's '.tag'), from `arch` or `id` (an entry with neither
    matches no other: its display name)."""
    return f"{(entry.arch or entry.id or entry.display).split('.')[0]}|{entry.preprocessing}"


def compare_networks(table: pd.DataFrame, column: str, arch: dict[str, str], alpha: float,
                     replicates: dict[tuple[str, str, str], np.ndarray] | None = None
                     ) -> pd.DataFrame:
    """``table`` (one row per model/layer/category, with ``trained``) with the comparison of
    each row's ``column`` against the same layer and category of the untrained networks of its
    architecture (arch: model -> :func:`architecture`), other than itself
    (:func:`compare_to_untrained`, with the rows' bootstrap replicates if given), and
    ``beyond_untrained``: p_vs_untrained < alpha (None where not testable)."""
    out = []
    for r in table.itertuples():
        peers = table[(table["layer"] == r.layer) & (table["category"] == r.category)
                      & ~table["trained"].astype(bool) & (table["model"] != r.model)
                      & (table["model"].map(arch) == arch[r.model])]
        reps = {} if replicates is None else {
            "replicates": replicates[r.model, r.layer, r.category],
            "untrained_replicates": np.array([replicates[m, r.layer, r.category]
                                              for m in peers["model"]])}
        c = compare_to_untrained(getattr(r, column), peers[column].to_numpy(), alpha, **reps)
        p = c["p_vs_untrained"]
        out.append({**c, "beyond_untrained": bool(p < alpha) if np.isfinite(p) else None})
    return table.assign(**pd.DataFrame(out, index=table.index,
                                       columns=[*COMPARATIVE_COLUMNS, "beyond_untrained"]))


def _top_k_overlap(t1: np.ndarray, t2: np.ndarray, k: int, x2: np.ndarray, loc2: np.ndarray,
                   category: str, loc2_domains: list[str], permutations: int,
                   rng: np.random.Generator) -> dict[str, float]:
    """Overlap of the k units ranked highest by fLoc's t1 and by localizer2's t2 (both
    (n_units,)) with its hypergeometric p, and ``p_permutation_top_k`` against
    ``permutations`` label permutations of localizer2 (x2: (n_images, n_units) its responses,
    loc2: (n_images,) its labels); NaN when k = 0."""
    row = top_k_overlap(t1, t2, k)
    if k == 0:
        return {**row, "p_permutation_top_k": np.nan}
    valid = np.isfinite(t1) & np.isfinite(t2)
    null = permuted_top_k_overlap(x2, loc2, category, loc2_domains, top_k(t1, k, valid), valid,
                                  permutations, rng)
    return {**row, "p_permutation_top_k": (1 + int(np.sum(null >= row["both_top_k"])))
            / (1 + permutations)}


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    ul = params.unit_localizer
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    replicates: dict[tuple[str, str, str], np.ndarray] = {}
    with threadpool_limits(limits=1):  # many mid-size products: one BLAS thread is fastest
        for model in params.models:
            rows, reps = select_model(model, params)
            replicates.update(reps)
            for name, r in rows.items():
                tables[name] += r
    # a threshold that selects no unit anywhere leaves the profiles without rows, not columns
    frames = {k: pd.DataFrame(v, columns=PROFILE_COLUMNS if k == "profiles" and not v else None)
              for k, v in tables.items()}
    arch = {m: architecture(params.zoo[m]) for m in params.models}
    frames["generalisation"] = compare_networks(frames["generalisation"], "t_equal_k", arch,
                                                ul.generalisation_alpha, replicates)
    frames["venn"] = compare_networks(frames["venn"], "excess_equal_k", arch, ul.overlap_alpha)
    with atomic_path(paths.LOCALIZER) as tmp:
        tmp.mkdir()
        for name, frame in frames.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_json(summary(frames, params), tmp / "summary.json")


def summary(frames: dict[str, pd.DataFrame], params: config.Params) -> dict:
    """Key numbers of each model's last read layer: % selective units, trained vs untrained;
    per model/category the decision of Finding 1 (``beyond_untrained``: equal-k generalisation
    or overlap above the matched untrained networks, p < ``generalisation_alpha`` /
    ``overlap_alpha``, None where not testable) with its effect and interval, and the
    per-network tests beside it (``category_information``: permuted-label selection p; the
    overlap's top-k permutation p, ``above_chance``), which a low-level feature shared by both
    image sets passes too; all summarised for trained and untrained networks separately."""
    ul = params.unit_localizer
    last = {m: params.zoo[m].layers_to_read()[-1] for m in params.models}
    c = frames["counts"]
    c = c[(c["localizer"] == "floc") & (c["layer"] == c["model"].map(last))]
    out: dict = {"threshold": params.threshold, "last_layer": last,
                 **{k: getattr(ul, k) for k in ("generalisation_draws", "generalisation_alpha",
                                                 "overlap_permutations", "overlap_alpha",
                                                 "top_k", "bootstrap_draws")}}
    for trained, g in c.groupby("trained"):
        key = "trained" if trained else "untrained"
        out[f"pct_selected_last_layer_{key}"] = {
            cat: float(g[g["category"] == cat]["pct_selected"].mean())
            for cat in params.categories}
    gen = _last_layer(frames["generalisation"], last, params.categories)
    gen = gen.assign(category_information=gen["p_permuted_selection"] < ul.generalisation_alpha)
    out["generalises_last_layer"] = {
        f"{r.model}/{r.category}": {
            "trained": bool(r.trained), "n_units": int(r.n_units), "t": number(r.t),
            "baseline_mean": number(r.baseline_mean), "baseline_sd": number(r.baseline_sd),
            "effect_size": number(r.effect_size),
            "p_baseline_fixed_images": p_value(r.p_baseline_fixed_images),
            "p_permuted_selection": p_value(r.p_permuted_selection),
            "p_welch": p_value(r.p_welch), "category_information": bool(r.category_information),
            "equal_k": {"t": number(r.t_equal_k), "se_images": number(r.se_images_equal_k),
                        **_comparison(r)}}
        for r in gen.itertuples()}
    for trained, g in gen.groupby("trained"):
        out[f"generalisation_last_layer_{'trained' if trained else 'untrained'}"] = {
            "combinations": len(g),
            "category_information": int(g["category_information"].sum()),
            "welch_significant": int((g["p_welch"] < ul.generalisation_alpha).sum()),
            "effect_size_median": number(g["effect_size"].median()),
            "effect_size_min": number(g["effect_size"].min()),
            "effect_size_max": number(g["effect_size"].max()),
            "t_equal_k_median": number(g["t_equal_k"].median()),
            **_decisions(g)}
    v = _last_layer(frames["venn"], last, params.categories)
    v = v.assign(n_floc=v["floc_only"] + v["both"], n_localizer2=v["localizer2_only"] + v["both"],
                 above_chance=v["p_permutation_top_k"] < ul.overlap_alpha)
    out["overlap_last_layer"] = {
        f"{r.model}/{r.category}": {
            "trained": bool(r.trained), "n_floc": int(r.n_floc),
            "n_localizer2": int(r.n_localizer2), "n_floc_matched": number(r.n_floc_matched),
            "both_matched": number(r.both_matched), "expected_matched": number(r.expected_matched),
            "k": int(r.k), "both_top_k": number(r.both_top_k),
            "expected_top_k": number(r.expected_top_k),
            "p_hypergeom_top_k": p_value(r.p_hypergeom_top_k),
            "p_permutation_top_k": p_value(r.p_permutation_top_k),
            "above_chance": bool(r.above_chance),
            "equal_k": {"both": number(r.both_equal_k), "expected": number(r.expected_equal_k),
                        "excess": number(r.excess_equal_k), **_comparison(r)}}
        for r in v.itertuples()}
    for trained, g in v.groupby("trained"):
        ranked = g[g["k"] > 0]
        out[f"overlap_last_layer_{'trained' if trained else 'untrained'}"] = {
            "combinations": len(g), "with_top_k": len(ranked),
            "above_chance": int(ranked["above_chance"].sum()),
            "above_chance_hypergeom": int((ranked["p_hypergeom_top_k"]
                                           < ul.overlap_alpha).sum()),
            "ratio_top_k_pooled": _pooled_ratio(ranked["both_top_k"], ranked["expected_top_k"]),
            "ratio_matched_pooled": _pooled_ratio(g["both_matched"], g["expected_matched"]),
            "n_floc_mean": number(g["n_floc"].mean()),
            "n_floc_matched_mean": number(g["n_floc_matched"].mean()),
            "n_localizer2_mean": number(g["n_localizer2"].mean()),
            "excess_equal_k_median": number(g["excess_equal_k"].median()),
            **_decisions(g)}
    return out


def _comparison(r) -> dict:
    """One row's comparison with the matched untrained networks (compare_networks); df "inf":
    no seed variance beyond the images (normal reference)."""
    return {"untrained_mean": number(r.untrained_mean), "difference": number(r.difference),
            "ci_low": number(r.ci_low), "ci_high": number(r.ci_high),
            "se": number(r.se_difference),
            "df": "inf" if r.df_difference == np.inf else number(r.df_difference),
            "seed_sd": number(r.seed_sd), "p_vs_untrained": p_value(r.p_vs_untrained),
            "n_untrained": int(r.n_untrained),
            "beyond_untrained": None if pd.isna(r.beyond_untrained) else bool(r.beyond_untrained)}


def _decisions(g: pd.DataFrame) -> dict:
    """Finding 1's decisions over a group of rows: how many could be tested (at least two
    matched untrained networks), how many are beyond the untrained networks, and the
    differences' median and range."""
    tested = g[g["beyond_untrained"].notna()]
    return {"testable": len(tested),
            "beyond_untrained": int(tested["beyond_untrained"].astype(bool).sum()),
            "difference_median": number(tested["difference"].median()),
            "difference_min": number(tested["difference"].min()),
            "difference_max": number(tested["difference"].max())}


def _pooled_ratio(observed: pd.Series, expected: pd.Series) -> float | None:
    """Observed over chance-expected overlap, summed over combinations (stable where single
    expectations are tiny); None without any expected overlap."""
    return number(observed.sum() / expected.sum()) if expected.sum() > 0 else None


def _last_layer(table: pd.DataFrame, last: dict[str, str], categories: list[str]
                ) -> pd.DataFrame:
    """The rows of each model's last read layer for the compared categories."""
    return table[(table["layer"] == table["model"].map(last))
                 & table["category"].isin(categories)]
