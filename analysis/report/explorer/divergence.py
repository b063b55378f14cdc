"""Explorer 5 (Figure 6): brain against network response per shared image, with each
image's thumbnail, labels and residual on hover and the divergent images highlighted; and the
diagnostic contrasts per subject and per network."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.report.explorer.common import (
    Context,
    Panel,
    Section,
    data,
    packed,
    spec,
    title,
    unavailable,
)
from analysis.report.figures.style import CONTROL, HUMAN, TRAINED, UNTRAINED

DIVERGENCE = "results/analyses/divergence"
HEADING, FIGURE = "Stimulus-level divergences", "Figure 6"
#: The divergence analysis's codes: the brain above (1) or below (-1) the network's prediction
#: by more than the residual cutoff, or neither (0); Figure 6 highlights any non-zero code.
DIVERGENT = {1: "brain above the prediction", -1: "brain below the prediction", 0: "typical"}


def image_rows(images: pd.DataFrame, labels: tuple[str, ...], ctx: Context) -> pd.DataFrame:
    """results/analyses/divergence/images.csv with the image's ``labels`` (the annotation
    columns, analysis.io.annotations.LABELS) that apply as one string and the network by
    display name (divergent stays a code of DIVERGENT: the page names it)."""
    i = images.copy()
    present = [c for c in labels if c in i]
    i["labels"] = [", ".join(c.replace("_", " ") for c in present if r[c] == 1) or "none"
                   for _, r in i[present].iterrows()]
    i["model"] = i["model"].map(ctx.name)
    return i[["region", "model", "image_id", "brain_z", "network_z", "residual", "divergent",
              "labels"]]


def contrast_rows(diagnostics: pd.DataFrame, subjects: pd.DataFrame,
                  ctx: Context) -> pd.DataFrame:
    """The diagnostic contrast per subject (subjects.csv, its interval over images) and per
    system (diagnostics.csv: the brain's and each network's and control's interval over
    images and subjects crossed, as Figure 6 draws them, and the p of its difference from the
    brain): region, contrast, system, kind, estimate, low, high, difference_p, file."""
    s = subjects.assign(system="S" + subjects["subject"].astype(int).astype(str),
                        kind="subject", file=f"{DIVERGENCE}/subjects.csv")
    brain = diagnostics["system"] == "brain"
    d = diagnostics.copy()
    d["system"] = [("brain (mean of subjects)" if b else ctx.name(str(m)))
                   for b, m in zip(brain, d["system"], strict=True)]
    d["file"] = f"{DIVERGENCE}/diagnostics.csv"
    both = pd.concat([s, d], ignore_index=True)
    both["contrast"] = both["label_a"].str.replace("_", " ") + " minus " + \
        both["label_b"].str.replace("_", " ")
    if "difference_p" not in both:
        both["difference_p"] = float("nan")
    return both[["region", "contrast", "system", "kind", "estimate", "low", "high",
                 "difference_p", "file"]]


def section(images: pd.DataFrame, diagnostics: pd.DataFrame, subjects: pd.DataFrame,
            thumbs: dict[int, str], labels: tuple[str, ...], regions: list[str],
            ctx: Context) -> Section:
    """The tables of results/analyses/divergence; ``thumbs``: image id -> JPEG data URI;
    ``labels``: the annotation columns."""
    if images.empty:
        return unavailable("divergence", HEADING, FIGURE,
                           f"{DIVERGENCE}/images.csv has no rows.")
    img = image_rows(images, labels, ctx)
    models = list(dict.fromkeys(img["model"]))
    model = alt.param(name="div_model", value=models[0], bind=alt.binding_select(
        options=models, name="network "))
    per_image = img.drop_duplicates("image_id")[["image_id", "labels"]]
    per_image = per_image.assign(image=per_image["image_id"].map(thumbs))
    pictures = alt.LookupData(data=data(per_image), key="image_id", fields=["image", "labels"])
    scatter = alt.Chart().transform_filter("datum.model === div_model").transform_flatten(
        ["image_id", "brain_z", "network_z", "residual", "divergent"]).transform_lookup(
        lookup="image_id", from_=pictures).transform_calculate(
        divergent=("datum.divergent === 1 ? '" + DIVERGENT[1] + "' : datum.divergent === -1 ? '"
                   + DIVERGENT[-1] + "' : '" + DIVERGENT[0] + "'"),
        file=f"'{DIVERGENCE}/images.csv'").mark_point(filled=True, size=45).encode(
        x=alt.X("network_z:Q", title="network response (z)"),
        y=alt.Y("brain_z:Q", title="brain response (z, mean of subjects)"),
        color=alt.Color("divergent:N", scale=alt.Scale(
            domain=[DIVERGENT[0], DIVERGENT[1], DIVERGENT[-1]],
            range=["#9e9e9e", TRAINED, UNTRAINED]), title=None),
        tooltip=[alt.Tooltip("image:N", title="image"), alt.Tooltip("image_id:Q",
                 title="NSD image"), alt.Tooltip("labels:N"),
                 alt.Tooltip("residual:Q", format=".2f"),
                 alt.Tooltip("brain_z:Q", format=".2f", title="brain"),
                 alt.Tooltip("network_z:Q", format=".2f", title="network"),
                 alt.Tooltip("file:N")],
    ).properties(name="div_points", width=230, height=230)
    points = packed(img, ["region", "model"],
                    ["image_id", "brain_z", "network_z", "residual", "divergent"])
    panel = scatter.facet(data=points, column=alt.Column("region:N", sort=regions,
                                                            title=None),
                          title=title("Brain against network, per image", ctx)) \
        .add_params(model)
    c = contrast_rows(diagnostics, subjects, ctx)
    tips = [alt.Tooltip("system:N"), alt.Tooltip("contrast:N"),
            alt.Tooltip("estimate:Q", format=".3f"), alt.Tooltip("low:Q", format=".3f"),
            alt.Tooltip("high:Q", format=".3f"),
            alt.Tooltip("difference_p:Q", format=".3g", title="p (difference from brain)"),
            alt.Tooltip("file:N")]
    order = list(dict.fromkeys(c["system"]))
    kinds = alt.Color("kind:N", title=None, scale=alt.Scale(
        domain=["subject", "brain", "trained", "untrained", "control"],
        range=[HUMAN, "#000000", TRAINED, UNTRAINED, CONTROL]))
    ci = alt.Chart().properties(name="contrast_intervals").mark_rule().encode(
        y=alt.Y("system:N", sort=order, title=None), x=alt.X("low:Q", title="contrast (z)"),
        x2="high:Q", color=kinds, tooltip=tips)
    est = alt.Chart().properties(name="contrast_estimates").mark_point(
        filled=True, size=40).encode(
        y=alt.Y("system:N", sort=order), x="estimate:Q", color=kinds, tooltip=tips)
    zero = alt.Chart().properties(name="contrast_zero").mark_rule(color="#bbbbbb").encode(
        x=alt.datum(0))
    contrasts = alt.layer(zero, ci, est, data=data(c)).properties(
        width=230, height=240).facet(
        column=alt.Column("region:N", sort=regions, title=None),
        title=title("Diagnostic contrasts per subject and system", ctx))
    text = ("Each point is one shared image: its response in the region (mean of subjects) "
            "against the network's selective units, both z-scored. Hover a point for the "
            "image, its labels and its residual from the fit; divergent images in colour (red: "
            "the brain responds more than the network predicts, blue: less). Below: each "
            "pre-specified contrast (for example human minus animal faces in FFA) per subject "
            "(interval over images) and per system (interval over images "
            "and subjects, as in Figure 6; hover for the p of its difference from the brain).")
    panels = [Panel("divergence", spec(panel), (f"{DIVERGENCE}/images.csv",))]
    if len(c):
        panels.append(Panel("contrasts", spec(contrasts), (f"{DIVERGENCE}/diagnostics.csv",
                                                           f"{DIVERGENCE}/subjects.csv")))
    return Section("divergence", HEADING, FIGURE, text, tuple(panels))
