"""The select-units summary (results/network/localizer/summary.json): per model's last read
layer, the share of selective units and Finding 1's decisions with the per-network tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import config
from analysis.report.format import number, p_value


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
