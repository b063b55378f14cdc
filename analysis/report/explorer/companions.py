"""Explorer 6 (Figures S3 and S4): out-of-domain decoding accuracy against the number of
units, beside the neural population's; and the alignment-pattern analysis's brain matrix and
each system's agreement with it."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.report.explorer.common import Context, Panel, Section, data, spec, title, unavailable

OOD = "results/analyses/ood_decoding/curves.csv"
APA = "results/analyses/alignment_patterns"
HEADING, FIGURE = "Companion analyses", "Figures S3 and S4"
#: Chance in the two-alternative forced choice the decoders are scored by.
CHANCE = 0.5


def ood_panel(curves: pd.DataFrame, neural: dict[str, float], ctx: Context) -> Panel:
    """``curves``: results/analyses/ood_decoding/curves.csv (system, count, domain, in_domain,
    mean, std); ``neural``: domain -> the neural population's accuracy with all its sites
    (the level the units are matched to). Opens on the training domain, as Figure S4b."""
    c = curves.assign(system=curves["system"].map(
        lambda s: "neural population" if s == "neural" else ctx.name(str(s))))
    where = c.drop_duplicates("domain").set_index("domain")["in_domain"]
    domains = list(where.sort_values(ascending=False, kind="stable").index)
    domain = alt.param(name="ood_domain", value=domains[0], bind=alt.binding_select(
        options=domains, labels=[f"{d} ({'in' if where[d] else 'out of'} domain)"
                                 for d in domains], name="image domain "))
    colors = ctx.system_scale(["neural population", *ctx.names,
                               *sorted(set(c["system"]) - {"neural population",
                                                           *map(ctx.name, ctx.names)})],
                              {"neural population": "#000000"})
    legend = alt.Legend(title=None, symbolOpacity=1)
    ood = alt.Chart().transform_filter("datum.domain === ood_domain") \
        .transform_calculate(file=f"'{OOD}'", low="datum.mean - datum.std",
                             high="datum.mean + datum.std")
    lines = ood.properties(name="ood_lines").mark_line(point=True).encode(
        x=alt.X("count:Q", title="units decoded from", scale=alt.Scale(type="log")),
        y=alt.Y("mean:Q", title="decoding accuracy (mean over draws)"),
        color=alt.Color("system:N", scale=colors, legend=legend),
        strokeDash=alt.condition("datum.system === 'neural population'", alt.value([1, 0]),
                                 alt.value([4, 2])),
        tooltip=[alt.Tooltip("system:N"), alt.Tooltip("count:Q", title="units"),
                 alt.Tooltip("mean:Q", format=".3f", title="accuracy"),
                 alt.Tooltip("std:Q", format=".3f", title="SD over draws"),
                 alt.Tooltip("file:N")])
    band = ood.properties(name="ood_bands").mark_area(opacity=0.12).encode(
        x="count:Q", y="low:Q", y2="high:Q",
        color=alt.Color("system:N", scale=colors, legend=legend))
    levels = pd.DataFrame({"domain": list(neural), "level": list(neural.values()),
                           "what": "neural population, all sites"})
    levels = pd.concat([levels, pd.DataFrame({"domain": domains, "level": CHANCE,
                                              "what": "chance"})], ignore_index=True)
    rules = alt.Chart(data(levels)).transform_filter("datum.domain === ood_domain") \
        .properties(name="ood_levels").mark_rule(strokeDash=[5, 3]).encode(
        y="level:Q", color=alt.value("#000000"),
        opacity=alt.condition("datum.what === 'chance'", alt.value(0.35), alt.value(0.9)),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("level:Q", format=".3f")])
    chart = alt.layer(band, lines, rules, data=data(c)).add_params(domain).properties(
        name="ood_curves", width=380, height=300,
        title=title("Decoding accuracy against the number of units, per image domain", ctx))
    return Panel("ood", spec(chart), (OOD, "results/analyses/ood_decoding/summary.json"))


def apa_panel(brain_matrix: pd.DataFrame, systems: pd.DataFrame, ctx: Context) -> Panel:
    """``brain_matrix`` and ``systems``: results/analyses/alignment_patterns/ (region pairs'
    alignment; each system's agreement with it), per measure."""
    measures = list(dict.fromkeys(brain_matrix["measure"]))
    measure = alt.param(name="apa_measure", value=measures[0], bind=alt.binding_select(
        options=measures, name="APA measure "))
    heat = alt.Chart(data(brain_matrix)).transform_filter("datum.measure === apa_measure") \
        .transform_calculate(file=f"'{APA}/brain_matrix.csv'").mark_rect().encode(
        x=alt.X("region_b:N", title=None, sort=None), y=alt.Y("region_a:N", title=None,
                                                             sort=None),
        color=alt.Color("alignment:Q", scale=alt.Scale(scheme="redblue", domainMid=0,
                                                       reverse=True)),
        tooltip=[alt.Tooltip("region_a:N", title="region"), alt.Tooltip("region_b:N",
                 title="and"), alt.Tooltip("alignment:Q", format=".3f"),
                 alt.Tooltip("file:N")],
    ).properties(name="apa_matrix", width=260, height=260,
                 title=title("Brain alignment pattern (region by region)", ctx))
    s = systems.assign(system=systems["system"].map(lambda m: ctx.name(str(m))))
    bars = alt.Chart(data(s)).transform_filter("datum.measure === apa_measure") \
        .transform_calculate(file=f"'{APA}/systems.csv'").mark_bar().encode(
        y=alt.Y("system:N", sort="-x", title=None),
        x=alt.X("agreement:Q", title="agreement with the brain's pattern"),
        color=alt.Color("system:N", scale=ctx.system_scale(
            [*ctx.names, *sorted(set(systems["system"]) - set(ctx.names))]), legend=None),
        tooltip=[alt.Tooltip("system:N"), alt.Tooltip("agreement:Q", format=".3f"),
                 alt.Tooltip("conventional:Q", format=".3f", title="conventional"),
                 alt.Tooltip("rank_apa:Q", title="rank (APA)"),
                 alt.Tooltip("rank_conventional:Q", title="rank (conventional)"),
                 alt.Tooltip("file:N")],
    ).properties(name="apa_systems", width=260, height=260,
                 title=title("Each system's agreement", ctx))
    apa = alt.hconcat(heat, bars).add_params(measure).resolve_scale(color="independent")
    return Panel("apa", spec(apa), (f"{APA}/brain_matrix.csv", f"{APA}/systems.csv"))


def section(curves: pd.DataFrame, neural: dict[str, float], brain_matrix: pd.DataFrame,
            systems: pd.DataFrame, ctx: Context) -> Section:
    """Both companions (:func:`ood_panel`, :func:`apa_panel`); either is left out when its
    tables are empty, and the section says so."""
    panels, missing = [], []
    if len(curves):
        panels.append(ood_panel(curves, neural, ctx))
    else:
        missing.append(f"{OOD} has no rows")
    if len(brain_matrix) and len(systems):
        panels.append(apa_panel(brain_matrix, systems, ctx))
    else:
        missing.append(f"{APA}/brain_matrix.csv or systems.csv has no rows")
    if not panels:
        return unavailable("companions", HEADING, FIGURE, "; ".join(missing) + ".")
    text = ("First: linear decoding (two-alternative forced choice) of the image's category "
            "from a network's units or the neural population's sites, trained on natural "
            "images and tested in the domain chosen, against the number of units (shaded: one "
            "SD over draws; dashed: the whole neural population and chance). Second: the "
            "alignment-pattern analysis: how each pair of brain regions aligns, and how well "
            "each system reproduces that pattern."
            + (f" Not available in this run: {'; '.join(missing)}." if missing else ""))
    return Section("companions", HEADING, FIGURE, text, tuple(panels))
