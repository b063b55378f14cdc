"""Explorer 2 (Figure 3): human-human and human-network noise-corrected similarities, the
systems' similarity matrix and its MDS map, linked: clicking a point pins its system in all
three panels."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from analysis.report.explorer.common import Context, Panel, Section, data, spec, title, unavailable

SIMILARITIES = "results/comparison/similarities.csv"
SYSTEMS_MAP = "results/systems_map"
HEADING, FIGURE = "Similarity to the brain", "Figure 3"


def points(similarities: pd.DataFrame, main_regions: dict[str, str],
           ctx: Context) -> pd.DataFrame:
    """One row per subject pair (HH) or subject-network pair (HN) of the main regions, the
    published layer: category, measure, group ('human-human', 'trained', 'untrained'), system
    (the network, or subject b), partner (subject a), r_corrected."""
    s = similarities[(similarities["layer_choice"] == "published")
                     & similarities["roi"].isin(list(main_regions.values()))].copy()
    hh = s["kind"] == "hh"
    s["system"] = [f"S{int(b)} {r}" if h else ctx.name(str(m)) for h, b, r, m in
                   zip(hh, s["b_subject"], s["roi"], s["b_model"], strict=True)]
    s["partner"] = [f"S{int(a)} {r}" for a, r in zip(s["a_subject"], s["roi"], strict=True)]
    s["group"] = ["human-human" if h else ("trained" if ctx.trained.get(str(m))
                                            else "untrained")
                  for h, m in zip(hh, s["b_model"], strict=True)]
    return s[["category", "roi", "measure", "group", "system", "partner", "r_corrected"]]


def matrix_long(matrices: dict[tuple[str, str], pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """{(category, measure): square similarity table (rows and columns: systems)} as rows
    category, measure, system (row), other (column), similarity; networks by display name."""
    rows = []
    for (category, measure), m in sorted(matrices.items()):
        long = m.rename_axis(index="system", columns="other").stack(future_stack=True)
        for (a, b), v in long.items():
            rows.append({"category": category, "measure": measure, "system": ctx.name(str(a)),
                         "other": ctx.name(str(b)), "similarity": float(v)})
    return pd.DataFrame(rows)


def pinned(field: str) -> str:
    """A Vega expression: is the system pinned (selection ``pin``) the datum's ``system`` or
    its ``field``?"""
    return (f"isValid(pin.system) && (indexof(pin.system, datum.system) >= 0 "
            f"|| indexof(pin.system, datum.{field}) >= 0)")


def section(similarities: pd.DataFrame, matrices: dict[tuple[str, str], pd.DataFrame],
            maps: dict[tuple[str, str], pd.DataFrame], main_regions: dict[str, str],
            ctx: Context) -> Section:
    """``similarities``: results/comparison/similarities.csv; ``matrices`` and ``maps``: the
    systems-map stage's tables per (category, measure) (square similarities; system, x, y)."""
    categories = [c for c in main_regions if any(k[0] == c for k in matrices)]
    pts = points(similarities, main_regions, ctx)
    if not categories or pts.empty:
        return unavailable("similarity", HEADING, FIGURE,
                           f"no main region has a systems map, or {SIMILARITIES} has no "
                           "rows for them.")
    category = alt.param(name="sim_category", value=categories[0], bind=alt.binding_select(
        options=categories, labels=[f"{main_regions[c]} ({c})" for c in categories],
        name="region "))
    measure = alt.param(name="sim_measure", value="multivariate", bind=alt.binding_select(
        options=["univariate", "multivariate"], name="measure "))
    pin = alt.selection_point(name="pin", fields=["system"], on="click", clear="dblclick")
    both = ("datum.category === sim_category && datum.measure === sim_measure")
    # a subject is pinned in every pair it is part of (as either subject), a network in its
    # pairs with each subject; in the matrix, in its row and its column
    in_pair, in_matrix = pinned("partner"), pinned("other")
    box = alt.Chart().properties(name="sim_box").mark_boxplot(
        extent="min-max", opacity=0.35, size=36, color="#9e9e9e").encode(
        x=alt.X("group:N", title="pair: two subjects, or a subject and a network",
                sort="ascending",  # human-human, trained, untrained
                axis=alt.Axis(labelAngle=0, labelLimit=90)),
        y=alt.Y("r_corrected:Q", title="noise-corrected similarity"))
    strip = alt.Chart().transform_calculate(
        file=f"'{SIMILARITIES}'",
        lit=f"{in_pair} ? 0.95 : (isValid(pin.system) ? 0.2 : 0.8)",
        big=f"{in_pair} ? 70 : 30").mark_circle().encode(
        x=alt.X("group:N", sort="ascending"),
        xOffset=alt.XOffset("system:N"),
        y=alt.Y("r_corrected:Q"),
        color=alt.Color("system:N", scale=ctx.system_scale(
            [*sorted(set(pts.loc[pts["group"] == "human-human", "system"])), *ctx.names]),
            legend=None),
        opacity=alt.Opacity("lit:Q", scale=None), size=alt.Size("big:Q", scale=None),
        tooltip=[alt.Tooltip("system:N"), alt.Tooltip("partner:N", title="with"),
                 alt.Tooltip("r_corrected:Q", format=".3f", title="similarity"),
                 alt.Tooltip("file:N")],
    ).add_params(pin).properties(name="sim_points")
    pairs = alt.layer(box, strip, data=data(pts)).transform_filter(both).properties(
        name="sim_pairs", width=260, height=300,
        title=title("Similarity to human subjects", ctx))
    cells = matrix_long(matrices, ctx)
    heat = alt.Chart(data(cells)).transform_filter(both).transform_calculate(
        file=f"'{SYSTEMS_MAP}/' + datum.category + '_' + datum.measure + '.csv'",
        lit=f"{in_matrix} ? 1 : (isValid(pin.system) ? 0.25 : 1)").mark_rect().encode(
        x=alt.X("other:N", title=None, sort=None),
        y=alt.Y("system:N", title=None, sort=None),
        color=alt.Color("similarity:Q", scale=alt.Scale(scheme="viridis"),
                        title="similarity"),
        opacity=alt.Opacity("lit:Q", scale=None, legend=None),
        tooltip=[alt.Tooltip("system:N"), alt.Tooltip("other:N", title="and"),
                 alt.Tooltip("similarity:Q", format=".3f"), alt.Tooltip("file:N")],
    ).properties(name="sim_matrix", width=260, height=260,
                 title=title("Systems' similarity matrix", ctx))
    mds = pd.concat([m.assign(category=c, measure=me, system=m["system"].map(ctx.name))
                     for (c, me), m in sorted(maps.items())], ignore_index=True)
    base = alt.Chart(data(mds)).transform_filter(both).transform_calculate(
        file=f"'{SYSTEMS_MAP}/' + datum.category + '_' + datum.measure + '_mds.csv'",
    ).mark_point(filled=True, size=80).encode(
        x=alt.X("x:Q", title="MDS 1", axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("y:Q", title="MDS 2", axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("system:N", scale=ctx.system_scale(
            [*sorted(set(mds.loc[mds["kind"] == "human", "system"])), *ctx.names]),
            legend=None),
        opacity=alt.condition(pin, alt.value(1.0), alt.value(0.3)),
        stroke=alt.condition(pin, alt.value("black"), alt.value(None), empty=False),
        tooltip=[alt.Tooltip("system:N"), alt.Tooltip("file:N")],
    ).properties(name="sim_map", width=260, height=260, title=title("MDS map", ctx))
    labels = base.transform_filter("datum.kind !== 'human'").mark_text(
        dy=-9, fontSize=9).encode(text="system:N", stroke=alt.value(None)).properties(
        name="sim_map_labels")
    chart = alt.hconcat(pairs, heat, base + labels) \
        .add_params(category, measure) \
        .resolve_scale(color="independent")
    text = ("Each point on the left is the noise-corrected similarity of one pair: two "
            "subjects (human-human) or a subject and a network's selective units (boxes: "
            "quartiles and range). Hover a point for both systems and the value; click it to "
            "pin its system in all three panels: a network in its pairs with each subject, a "
            "subject in every pair it is part of (double-click clears). "
            "Choose the region and the measure above.")
    return Section("similarity", HEADING, FIGURE, text,
                   (Panel("similarity", points_only(spec(chart), "pin", "sim_points"),
                          (SIMILARITIES, f"{SYSTEMS_MAP}/")),))


def points_only(chart: dict[str, Any], param: str, view: str) -> dict[str, Any]:
    """``chart`` with selection ``param`` listening only in the views named ``view`` (plus
    altair's suffix): altair lists every layer of a layered chart as the selection's views, and
    the boxplot layer's copy of it makes Vega fail on a duplicate signal."""
    for p in chart.get("params", []):
        if p["name"] == param:
            p["views"] = [v for v in p["views"] if v.rsplit("_", 1)[0] == view]
    return chart
