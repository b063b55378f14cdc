"""Explorer 1 (Figure 1): every selective profile as a point in a 2-D map of profile space;
clicking one draws its response to each shared image beside the human mean of its region."""

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

#: Where the profiles come from: the selected voxels' and units' ids, the brain's prepared
#: responses and the networks' activations (DVC outputs, not results tables).
SOURCES = ("data/selected", "data/prepared/brain", "data/activations",
           "results/annotations/images.csv")
HEADING, FIGURE = "Response profile explorer", "Figure 1"


def human_means(profiles: pd.DataFrame) -> pd.DataFrame:
    """The mean over subjects of the human profiles, per category and image position.

    ``profiles``: one row per (profile, image) with columns profile, kind ('human', 'trained'
    or 'untrained'), category, region, position (the image's place in the sorted order),
    image_id, group (its label) and response (z-scored over images). Returns category,
    position and human_mean."""
    humans = profiles[profiles["kind"] == "human"]
    return (humans.groupby(["category", "position"], sort=True)["response"].mean()
            .rename("human_mean").reset_index())


def section(profiles: pd.DataFrame, embedding: pd.DataFrame, ctx: Context) -> Section:
    """``profiles`` as for :func:`human_means`; ``embedding``: profile, x, y (an MDS of the
    correlation distance between profiles). The first trained network's first profile is
    shown until a point is clicked."""
    if len(embedding) < 3:
        return unavailable("profiles", HEADING, FIGURE,
                           "fewer than three selective profiles to map (no subject or network "
                           "has enough selected voxels or units).")
    meta = (profiles.drop_duplicates("profile")
            .set_index("profile")[["kind", "category", "region", "system"]])
    points = embedding.join(meta, on="profile")
    first = points[points["kind"] == "trained"]
    start = str((first if len(first) else points)["profile"].iloc[0])
    pick = alt.selection_point(name="profile_pick", fields=["profile"], on="click",
                               value=[{"profile": start}], clear=False)
    kinds = ["human", "trained", "untrained"]
    origin = "'from " + ", ".join(SOURCES[:3]) + " (see the README: interactive explorers)'"
    scatter = alt.Chart(data(points)).transform_calculate(file=origin).mark_point(
        filled=True, size=90).encode(
        x=alt.X("x:Q", title="MDS 1", axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("y:Q", title="MDS 2", axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("category:N", title="selective for",
                        scale=ctx.category_scale(list(dict.fromkeys(points["category"])))),
        shape=alt.Shape("kind:N", scale=alt.Scale(domain=kinds,
                                                  range=["circle", "triangle-up", "square"]),
                        title="system"),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
        stroke=alt.condition(pick, alt.value("black"), alt.value(None)),
        tooltip=[alt.Tooltip("system:N", title="system"), alt.Tooltip("region:N"),
                 alt.Tooltip("category:N", title="selective for"), alt.Tooltip("file:N")],
    ).add_params(pick).properties(name="profile_map", width=300, height=300,
                                  title=title("Profiles (click one)", ctx))
    images = profiles.drop_duplicates(["category", "position"])[
        ["category", "position", "image_id", "group"]].merge(
        human_means(profiles), on=["category", "position"], how="left")
    images["key"] = images["category"] + "|" + images["position"].astype(str)
    per_image = alt.LookupData(data=data(images[["key", "image_id", "group", "human_mean"]]),
                               key="key", fields=["image_id", "group", "human_mean"])
    lines = packed(profiles, ["profile", "system", "category"], ["position", "response"])
    trace = alt.Chart(lines).transform_filter(pick).transform_flatten(
        ["position", "response"]).transform_calculate(
        key="datum.category + '|' + datum.position").transform_lookup(
        lookup="key", from_=per_image).transform_fold(
        ["response", "human_mean"], as_=["series", "value"],
    ).transform_calculate(
        series="datum.series === 'response' ? datum.system : 'human mean of the region'",
        file=origin,
    ).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("position:Q", title="shared images, sorted by label"),
        y=alt.Y("value:Q", title="response (z over images)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("series:N", title="system"), alt.Tooltip("image_id:Q",
                 title="image"), alt.Tooltip("group:N", title="label"),
                 alt.Tooltip("value:Q", format=".2f", title="response"),
                 alt.Tooltip("file:N")],
    ).properties(name="profile_trace", width=520, height=300,
                 title=title("Its response to every shared image", ctx))
    chart = alt.hconcat(scatter, trace).resolve_scale(color="independent")
    text = ("Each point is one selective profile: a subject's face, body or scene region, or "
            "a network's selective units for that category (each profile is the mean response "
            "of its voxels or units to the shared images). The map places profiles with "
            "similar responses close together (MDS of 1 - Pearson r). Click a point to draw "
            "its full profile beside the mean human profile of the same region.")
    return Section("profiles", HEADING, FIGURE, text,
                   (Panel("profiles", spec(chart), SOURCES),))
