"""Explorer 4 (Figure 5): the encoding models' accuracy per subject and region, with all
units, without the selective ones, the selective ones alone and random sets; hovering a
subject follows it across the conditions."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.report.explorer.common import Context, Panel, Section, data, spec, title, unavailable

ACCURACY = "results/analyses/encoding/accuracy.csv"
MEASURES = {"univariate_rc": "univariate accuracy (noise-corrected r)",
            "multivariate_rc": "multivariate accuracy (noise-corrected RDM r)",
            "voxel_r_normalised": "voxel-wise r / noise ceiling (median)"}


def per_subject(accuracy: pd.DataFrame, sets: dict[str, str], ctx: Context) -> pd.DataFrame:
    """Mean over random draws per model, region, subject and feature set (those in ``sets``:
    feature set -> label), long over the MEASURES: model (display name), region, subject,
    set (label), measure, value; in the sets' order within each subject."""
    a = accuracy[accuracy["feature_set"].isin(list(sets))]
    keys = ["model", "region", "subject", "feature_set"]
    m = a.groupby(keys, sort=True)[list(MEASURES)].mean().reset_index()
    long = m.melt(id_vars=keys, value_vars=list(MEASURES), var_name="measure")
    order = {s: k for k, s in enumerate(sets)}
    long["order"] = long["feature_set"].map(order)
    long["set"] = long["feature_set"].map(sets)
    long["model"] = long["model"].map(ctx.name)
    long["subject"] = "S" + long["subject"].astype(int).astype(str)
    return long.sort_values(["model", "region", "measure", "subject", "order"]).drop(
        columns=["feature_set", "order"])


def section(accuracy: pd.DataFrame, sets: dict[str, str], regions: list[str],
            ctx: Context) -> Section:
    """``accuracy``: results/analyses/encoding/accuracy.csv; ``sets``: the feature sets shown
    and their labels (as Figure 5 labels them); ``regions`` in the figure's order."""
    rows = per_subject(accuracy, sets, ctx)
    if rows.empty:
        return unavailable("encoding", "Encoding models", "Figure 5",
                           f"{ACCURACY} has no rows for these feature sets.")
    models = list(dict.fromkeys(rows["model"]))
    model = alt.param(name="enc_model", value=models[0], bind=alt.binding_select(
        options=models, name="network "))
    measure = alt.param(name="enc_measure", value="univariate_rc", bind=alt.binding_select(
        options=list(MEASURES), labels=list(MEASURES.values()), name="measure "))
    hover = alt.selection_point(name="enc_subject", fields=["subject"], on="pointerover",
                                clear="pointerout", empty=False)
    base = alt.Chart().transform_filter(
        "datum.model === enc_model && datum.measure === enc_measure").transform_calculate(
        file=f"'{ACCURACY}'").encode(
        x=alt.X("set:N", title=None, sort=list(sets.values()),
                axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("value:Q", title="accuracy", scale=alt.Scale(zero=False)),
        detail="subject:N",
        tooltip=[alt.Tooltip("subject:N"), alt.Tooltip("set:N", title="units"),
                 alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("file:N")])
    lines = base.properties(name="enc_lines").mark_line().encode(
        color=alt.condition(hover, alt.value("#c0392b"), alt.value("#9e9e9e")),
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.35)),
        strokeWidth=alt.condition(hover, alt.value(2.5), alt.value(1)))
    dots = base.properties(name="enc_dots").mark_point(filled=True, size=35).encode(
        color=alt.condition(hover, alt.value("#c0392b"), alt.value("#6e6e6e")),
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.5))).add_params(hover)
    chart = alt.layer(lines, dots, data=data(rows)).properties(
        width=210, height=260, name="enc_panel").facet(
        column=alt.Column("region:N", sort=regions, title=None),
        title=title("Encoding accuracy per subject", ctx)).add_params(model, measure)
    text = ("Each line is one subject: the accuracy of its voxel-wise encoding model from a "
            "network layer with all units, without the selective units, without as many "
            "random units, with the selective units alone and with as many random units "
            "alone (random sets: mean over draws). Hover a subject to follow it across the "
            "conditions and regions; choose the network and the measure above.")
    return Section("encoding", "Encoding models", "Figure 5", text,
                   (Panel("encoding", spec(chart), (ACCURACY,)),))
