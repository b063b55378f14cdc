"""Explorer 5 (Figure 6): brain against network response per shared image, with each
image's thumbnail, labels and residual on hover and the divergent images highlighted; and the
diagnostic contrasts per subject and per network."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.report.explorer.common import Context, Panel, Section, data, spec, title

DIVERGENCE = "results/analyses/divergence"
LABELS = ("human_face", "animal_face", "exposed_limbs", "covered_body", "scene_with_people",
          "scene_without_people")


def image_rows(images: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """results/analyses/divergence/images.csv with the image's labels as one string, the
    network by display name and divergent as yes / no."""
    i = images.copy()
    present = [c for c in LABELS if c in i]
    i["labels"] = [", ".join(c.replace("_", " ") for c in present if r[c] == 1) or "none"
                   for _, r in i[present].iterrows()]
    i["model"] = i["model"].map(ctx.name)
    i["divergent"] = i["divergent"].map({1: "divergent", 0: "typical"})
    return i[["region", "model", "image_id", "brain_z", "network_z", "residual", "divergent",
              "labels"]]


def contrast_rows(diagnostics: pd.DataFrame, subjects: pd.DataFrame,
                  ctx: Context) -> pd.DataFrame:
    """The diagnostic contrast per subject (subjects.csv) and per system (diagnostics.csv: the
    brain over subjects, each network, the controls): region, contrast, system, kind,
    estimate, low, high, file."""
    s = subjects.assign(system="S" + subjects["subject"].astype(int).astype(str),
                        kind="subject", file=f"{DIVERGENCE}/subjects.csv")
    brain = diagnostics["system"] == "brain"
    d = diagnostics.copy()
    for col in ("estimate", "low", "high"):  # the brain: over subjects, images fixed
        d.loc[brain, col] = d.loc[brain, f"subjects_{col}"]
    d["system"] = [("brain (mean of subjects)" if b else ctx.name(str(m)))
                   for b, m in zip(brain, d["system"], strict=True)]
    d["file"] = f"{DIVERGENCE}/diagnostics.csv"
    both = pd.concat([s, d], ignore_index=True)
    both["contrast"] = both["label_a"].str.replace("_", " ") + " minus " + \
        both["label_b"].str.replace("_", " ")
    return both[["region", "contrast", "system", "kind", "estimate", "low", "high", "file"]]


def section(images: pd.DataFrame, diagnostics: pd.DataFrame, subjects: pd.DataFrame,
            thumbs: dict[int, str], regions: list[str], ctx: Context) -> Section:
    """The tables of results/analyses/divergence; ``thumbs``: image id -> JPEG data URI."""
    img = image_rows(images, ctx)
    models = list(dict.fromkeys(img["model"]))
    model = alt.param(name="div_model", value=models[0], bind=alt.binding_select(
        options=models, name="network "))
    pictures = alt.LookupData(data=data(pd.DataFrame(
        {"image_id": list(thumbs), "image": list(thumbs.values())})),
        key="image_id", fields=["image"])
    scatter = alt.Chart().transform_filter("datum.model === div_model").transform_lookup(
        lookup="image_id", from_=pictures).transform_calculate(
        file=f"'{DIVERGENCE}/images.csv'").mark_point(filled=True, size=45).encode(
        x=alt.X("network_z:Q", title="network response (z)"),
        y=alt.Y("brain_z:Q", title="brain response (z, mean of subjects)"),
        color=alt.Color("divergent:N", scale=alt.Scale(domain=["typical", "divergent"],
                                                       range=["#9e9e9e", "#c0392b"]),
                        title=None),
        tooltip=[alt.Tooltip("image:N", title="image"), alt.Tooltip("image_id:Q",
                 title="NSD image"), alt.Tooltip("labels:N"),
                 alt.Tooltip("residual:Q", format=".2f"),
                 alt.Tooltip("brain_z:Q", format=".2f", title="brain"),
                 alt.Tooltip("network_z:Q", format=".2f", title="network"),
                 alt.Tooltip("file:N")],
    ).properties(name="div_points", width=230, height=230)
    panel = scatter.facet(data=data(img), column=alt.Column("region:N", sort=regions,
                                                            title=None),
                          title=title("Brain against network, per image", ctx)) \
        .add_params(model)
    c = contrast_rows(diagnostics, subjects, ctx)
    tips = [alt.Tooltip("system:N"), alt.Tooltip("contrast:N"),
            alt.Tooltip("estimate:Q", format=".3f"), alt.Tooltip("low:Q", format=".3f"),
            alt.Tooltip("high:Q", format=".3f"), alt.Tooltip("file:N")]
    order = list(dict.fromkeys(c["system"]))
    kinds = alt.Color("kind:N", title=None, scale=alt.Scale(
        domain=["subject", "brain", "trained", "untrained", "control"],
        range=["#9e9e9e", "#333333", "#c0392b", "#2c7fb8", "#777777"]))
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
            "image, its labels and its residual from the fit; red points are the divergent "
            "images. Below: each pre-specified contrast (for example human minus animal faces "
            "in FFA) per subject and per system, with 95 % intervals.")
    return Section("divergence", "Stimulus-level divergences", "Figure 6", text,
                   (Panel("divergence", spec(panel), (f"{DIVERGENCE}/images.csv",)),
                    Panel("contrasts", spec(contrasts), (f"{DIVERGENCE}/diagnostics.csv",
                                                         f"{DIVERGENCE}/subjects.csv"))))
