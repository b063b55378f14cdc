"""Explorer 3 (Figure 4): the human-human minus human-network gap over localizer thresholds,
both localizers and every region, with a threshold slider."""

from __future__ import annotations

from itertools import pairwise

import altair as alt
import pandas as pd

from analysis.report.explorer.common import Context, Panel, Section, data, spec, title, unavailable
from analysis.vocabulary import POOLED_TRAINED, POOLED_UNTRAINED

GAPS = "results/robustness/gaps.csv"
HEADING, FIGURE = "Robustness over thresholds and localizers", "Figure 4"
POOLED = {POOLED_TRAINED: "trained networks (pooled)",
          POOLED_UNTRAINED: "untrained networks (pooled)"}
#: The localizers in the order of their line styles (solid, dashed).
LOCALIZERS = ("floc", "localizer2")
#: Two thresholds closer than this are one slider position.
TOLERANCE = 1e-9


def rows(gaps: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """The gaps computed (status ok), networks by display name (pooled sets named): threshold,
    roi, localizer, networks, measure, the bias-corrected gap and its interval, the mean
    voxels and units selected."""
    g = gaps[gaps["status"] == "ok"].copy()
    g["networks"] = [POOLED.get(n, ctx.name(n)) for n in g["networks"]]
    return g[["threshold", "roi", "localizer", "networks", "measure", "gap_corrected",
              "gap_ci_low", "gap_ci_high", "mean_voxels", "mean_units"]]


def section(gaps: pd.DataFrame, threshold: float, ctx: Context) -> Section:
    """``gaps``: results/robustness/gaps.csv; the slider starts at the run's ``threshold`` and
    steps by the smallest spacing of the thresholds computed (positions between unevenly
    spaced thresholds show no gap)."""
    g = rows(gaps, ctx)
    if g.empty:
        return unavailable("robustness", HEADING, FIGURE,
                           f"no setting in {GAPS} has a gap (every one excluded).")
    thresholds = sorted(set(g["threshold"].astype(float)))
    start = min(thresholds, key=lambda t: abs(t - threshold))
    sets = list(dict.fromkeys([*(POOLED[k] for k in POOLED if POOLED[k] in set(g["networks"])),
                               *g["networks"]]))
    thr = alt.param(name="threshold", value=start, bind=alt.binding_range(
        min=thresholds[0], max=thresholds[-1],
        step=min((b - a for a, b in pairwise(thresholds)), default=1),
        name="localizer threshold (t) "))
    nets = alt.param(name="rob_networks", value=sets[0], bind=alt.binding_select(
        options=sets, name="networks "))
    measure = alt.param(name="rob_measure", value="univariate", bind=alt.binding_select(
        options=["univariate", "multivariate"], name="measure "))
    shown = "datum.networks === rob_networks && datum.measure === rob_measure"
    dashes = alt.StrokeDash("localizer:N", legend=None, scale=alt.Scale(
        domain=list(LOCALIZERS), range=[[1, 0], [4, 3]]))
    base = alt.Chart().transform_filter(shown).transform_calculate(file=f"'{GAPS}'")
    tips = [alt.Tooltip("roi:N", title="region"), alt.Tooltip("localizer:N"),
            alt.Tooltip("threshold:Q"), alt.Tooltip("gap_corrected:Q", format=".3f",
                                                    title="gap"),
            alt.Tooltip("gap_ci_low:Q", format=".3f", title="interval low"),
            alt.Tooltip("gap_ci_high:Q", format=".3f", title="interval high"),
            alt.Tooltip("mean_voxels:Q", format=".1f", title="voxels"),
            alt.Tooltip("mean_units:Q", format=".0f", title="units"), alt.Tooltip("file:N")]
    lines = base.properties(name="rob_curves").mark_line(point=True).encode(
        x=alt.X("threshold:Q", title="localizer threshold (t)"),
        y=alt.Y("gap_corrected:Q", title="HH − HN gap (bias-corrected)"),
        color=alt.Color("roi:N", title="region"),
        strokeDash=dashes,
        tooltip=tips)
    at_slider = f"abs(datum.threshold - threshold) < {TOLERANCE}"
    rule = alt.Chart(data(pd.DataFrame({"threshold": thresholds}))).transform_filter(
        at_slider).mark_rule(color="black", strokeDash=[3, 3]).encode(
        x="threshold:Q").properties(name="rob_rule")
    over = alt.layer(lines, rule).properties(name="rob_lines", width=380, height=300,
                                             title=title("The gap over thresholds", ctx))
    at = base.transform_filter(at_slider)
    by_localizer = alt.Color("localizer:N",
                             legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2))
    bars = at.properties(name="rob_intervals").mark_rule(strokeWidth=2).encode(
        y=alt.Y("roi:N", title="region"), yOffset="localizer:N",
        x=alt.X("gap_ci_low:Q", title="gap at the chosen threshold (95 % interval)"),
        x2="gap_ci_high:Q", tooltip=tips, color=by_localizer)
    dots = at.properties(name="rob_estimates").mark_point(filled=True, size=60).encode(
        y="roi:N", yOffset="localizer:N", x="gap_corrected:Q",
        color=by_localizer,
        tooltip=tips)
    values = at.properties(name="rob_values").mark_text(align="left", dx=6, dy=-6,
                                                        fontSize=10).encode(
        y="roi:N", yOffset="localizer:N", x="gap_ci_high:Q",
        text=alt.Text("gap_corrected:Q", format=".3f"))
    now = alt.layer(bars, dots, values).properties(
        name="rob_at", width=380, height=300, title=title("At the slider's threshold", ctx))
    chart = alt.hconcat(over, now, data=data(g)).add_params(thr, nets, measure) \
        .resolve_scale(color="independent", strokeDash="independent") \
        .resolve_legend(color="independent", strokeDash="independent")
    excluded = int((gaps["status"] != "ok").sum())
    text = ("The gap is human-human minus human-network noise-corrected similarity, "
            "bias-corrected: how far the networks' selective units fall short of another "
            "human's region. Move the slider to change the localizer threshold; choose the "
            "networks and the measure above. Solid lines: fLoc localizer; dashed: the second "
            "localizer."
            + (f" {excluded} of {len(gaps)} settings were excluded (too few voxels or units "
               "selected; the reason is in the file's reason column) and are not drawn."
               if excluded else ""))
    return Section("robustness", HEADING, FIGURE, text,
                   (Panel("robustness", spec(chart), (GAPS,)),))
