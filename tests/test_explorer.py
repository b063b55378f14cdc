"""The explorer page's pure parts: numbers rounded for the page, thumbnails, the page itself
(inlining, escaping, determinism, the tier's banner) and each section's tables against
independent computations on the committed results."""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis.report.explorer import (
    companions,
    divergence,
    encoding,
    profiles,
    robustness,
    similarity,
)
from analysis.report.explorer.common import Context, Panel, Section, packed, records, rounded
from analysis.report.explorer.page import render
from analysis.report.explorer.thumbnails import data_uri
from analysis.report.vega_page import bundle_and_versions
from analysis.stages.explore import PROFILE_COLUMNS, neural_levels, profile_map

ROOT = Path(__file__).resolve().parents[1]
MODELS = ["effnet_lite0", "effnet_lite0_random1", "effnet_lite0_random2"]


def context(tier: str = "demo") -> Context:
    return Context(tier, {"effnet_lite0": "Lite0", "effnet_lite0_random1": "Random 1",
                          "effnet_lite0_random2": "Random 2"},
                   {"effnet_lite0": "#c0392b", "effnet_lite0_random1": "#2c7fb8",
                    "effnet_lite0_random2": "#74add1"},
                   {"effnet_lite0": True, "effnet_lite0_random1": False,
                    "effnet_lite0_random2": False}, "#6e6e6e", {"faces": "#e6550d"})


def test_numbers_keep_four_significant_digits_and_nan_becomes_null():
    assert rounded(0.123456789) == 0.1235
    assert rounded(12345.678) == 12350.0
    assert rounded(-3.0e-7 / 7) == pytest.approx(-4.286e-8, rel=1e-12)
    assert rounded(float("nan")) is None and rounded(math.inf) is None
    assert rounded(7) == 7 and rounded("FFA") == "FFA"
    rows = records(pd.DataFrame({"a": np.array([1, 2], dtype=np.int64), "b": [0.5, np.nan]}))
    assert rows == [{"a": 1, "b": 0.5}, {"a": 2, "b": None}]
    assert type(rows[0]["a"]) is int
    json.dumps(rows, allow_nan=False)


def test_packed_rows_hold_each_group_s_values_in_order():
    df = pd.DataFrame({"region": ["FFA", "FFA", "EBA", "FFA"], "model": ["a", "b", "a", "a"],
                       "image_id": np.array([3, 4, 3, 5]), "z": [0.123456, 1.0, np.nan, 2.0]})
    rows = packed(df, ["region", "model"], ["image_id", "z"]).to_dict()["values"]
    assert rows == [{"region": "FFA", "model": "a", "image_id": [3, 5], "z": [0.1235, 2.0]},
                    {"region": "FFA", "model": "b", "image_id": [4], "z": [1.0]},
                    {"region": "EBA", "model": "a", "image_id": [3], "z": [None]}]
    single = packed(df, ["region"], ["z"]).to_dict()["values"]
    assert [r["region"] for r in single] == ["FFA", "EBA"]


def test_a_thumbnail_is_a_small_jpeg_with_the_image_s_aspect():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (128, 256, 3), dtype=np.uint8)
    uri = data_uri(image)
    assert uri.startswith("data:image/jpeg;base64,")
    picture = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert picture.format == "JPEG" and picture.size == (96, 48)
    assert data_uri(image) == uri  # deterministic
    flat = np.full((64, 64, 3), 200, dtype=np.uint8)  # smaller images are not enlarged
    small = Image.open(io.BytesIO(base64.b64decode(data_uri(flat).split(",", 1)[1])))
    assert small.size == (64, 64)
    assert np.abs(np.asarray(small, dtype=int) - 200).max() <= 2
    with pytest.raises(ValueError, match="uint8"):
        data_uri(image.astype(float))
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        data_uri(image[..., 0])


def _page(sections: list[Section], tier: str = "demo", bundle: str = "/* js */") -> str:
    return render(sections, context(tier), {"stage": "explore", "deps": {"x": "abc"}}, bundle,
                  {"Vega": "6", "Vega-Lite": "6.4", "vega-embed": "7"})


def _section(name: str = "p", note: str = "a") -> Section:
    chart = alt.Chart(alt.Data(values=[{"x": 1, "note": note}])).mark_point().encode(x="x:Q")
    return Section("k", "Title <&>", "Figure 9", "text", (Panel(name, chart.to_dict(),
                                                                ("results/x.csv",)),))


def test_the_page_inlines_its_libraries_escapes_and_is_deterministic():
    sneaky = _section(note="</script><script>alert(1)</script>")
    page = _page([sneaky])
    assert page == _page([sneaky])
    assert page.lower().count("</script>") == 4  # the bundle, provenance, specs, loader
    assert "<\\/script>" in page
    assert "Title &lt;&amp;&gt;" in page
    assert '<a href="../results/x.csv">' in page
    assert "src=" not in page.split("</head>")[0]  # nothing fetched
    specs = page.split('id="selcomp-specs">')[1].split("</script>")[0]
    assert json.loads(specs)["p"]["data"]["values"][0]["note"].startswith("</script>")
    assert "Synthetic data" in page and "Synthetic data" not in _page([sneaky], tier="nsd")
    with pytest.raises(ValueError, match="cannot be inlined"):
        _page([sneaky], bundle="var a = '</script>';")
    with pytest.raises(ValueError, match="panel names repeat"):
        _page([_section(), _section()])


def test_the_bundle_carries_the_vega_lite_that_altair_writes():
    bundle, versions = bundle_and_versions()
    assert alt.SCHEMA_VERSION.lstrip("v").startswith(versions["Vega-Lite"] + ".")
    assert "vegaEmbed" in bundle and len(bundle) > 500_000


def test_encoding_rows_are_the_mean_over_draws_per_subject():
    acc = pd.read_csv(ROOT / "results/analyses/encoding/accuracy.csv")
    sets = {"all": "all units", "random_only": "random only"}
    rows = encoding.per_subject(acc, sets, context())
    got = rows[(rows["model"] == "Lite0") & (rows["region"] == "FFA")
               & (rows["measure"] == "univariate_rc") & (rows["set"] == "random only")]
    ref = acc[(acc["model"] == "effnet_lite0") & (acc["region"] == "FFA")
              & (acc["feature_set"] == "random_only")].groupby("subject")["univariate_rc"]
    assert len(got) == ref.ngroups and ref.size().min() > 1  # several draws averaged
    np.testing.assert_allclose(got["value"].to_numpy(), ref.mean().to_numpy())
    assert set(rows["set"]) == set(sets.values())
    assert set(rows["subject"]) == {f"S{s}" for s in acc["subject"].unique()}


def test_similarity_points_name_both_systems_of_a_pair():
    sims = pd.read_csv(ROOT / "results/comparison/similarities.csv")
    pts = similarity.points(sims, {"faces": "FFA"}, context())
    assert set(pts["roi"]) == {"FFA"}
    published = sims[(sims["layer_choice"] == "published") & (sims["roi"] == "FFA")]
    assert len(pts) == len(published)
    hh = pts[pts["group"] == "human-human"]
    first = published[published["kind"] == "hh"].iloc[0]
    assert hh.iloc[0]["system"] == f"S{int(first['b_subject'])} FFA"
    assert hh.iloc[0]["partner"] == f"S{int(first['a_subject'])} FFA"
    assert set(pts.loc[pts["group"] == "trained", "system"]) == {"Lite0"}
    assert set(pts.loc[pts["group"] == "untrained", "system"]) == {"Random 1", "Random 2"}


def test_the_systems_matrix_keeps_every_cell_and_names_networks():
    m = pd.DataFrame([[1.0, 0.3], [0.3, 1.0]], index=["S1 FFA", "effnet_lite0"],
                     columns=["S1 FFA", "effnet_lite0"])
    long = similarity.matrix_long({("faces", "univariate"): m}, context())
    assert len(long) == 4
    cell = long[(long["system"] == "S1 FFA") & (long["other"] == "Lite0")]
    assert cell["similarity"].tolist() == [0.3]


def test_the_contrasts_keep_figure_6_s_intervals():
    path = ROOT / "results/analyses/divergence"
    diag, subj = pd.read_csv(path / "diagnostics.csv"), pd.read_csv(path / "subjects.csv")
    rows = divergence.contrast_rows(diag, subj, context())
    brain = rows[rows["system"] == "brain (mean of subjects)"].set_index("region")
    ref = diag[diag["system"] == "brain"].set_index("region")
    # images and subjects crossed, as Figure 6 draws the brain beside the networks
    np.testing.assert_allclose(brain["low"], ref.loc[brain.index, "low"])
    np.testing.assert_allclose(brain["high"], ref.loc[brain.index, "high"])
    net = rows[rows["system"] == "Lite0"].set_index("region")
    ref = diag[diag["system"] == "effnet_lite0"].set_index("region")
    np.testing.assert_allclose(net["difference_p"], ref.loc[net.index, "difference_p"])
    assert len(rows[rows["kind"] == "subject"]) == len(subj)


def test_divergence_rows_list_each_image_s_labels_and_keep_both_directions():
    images = pd.DataFrame({"region": ["FFA"] * 3, "model": ["effnet_lite0"] * 3,
                           "image_id": [3, 4, 5], "brain_z": [1.0, 0.0, -1.0],
                           "network_z": [0.0, 1.0, 1.0], "residual": [1.0, -1.0, -2.0],
                           "divergent": [1, 0, -1], "human_face": [1, 0, 1],
                           "animal_face": [0, 0, 1]})
    rows = divergence.image_rows(images, ("human_face", "animal_face"), context())
    assert rows["labels"].tolist() == ["human face", "none", "human face, animal face"]
    assert rows["divergent"].tolist() == [1, 0, -1]
    assert set(divergence.DIVERGENT) == {1, 0, -1}
    assert rows["model"].tolist() == ["Lite0"] * 3


def test_the_robustness_rows_are_the_computed_settings_with_pooled_sets_named():
    gaps = pd.read_csv(ROOT / "results/robustness/gaps.csv")
    rows = robustness.rows(gaps, context())
    assert len(rows) == (gaps["status"] == "ok").sum()
    assert "trained networks (pooled)" in set(rows["networks"])
    assert {"Lite0", "Random 1"} <= set(rows["networks"])


def test_the_neural_levels_are_in_domain_for_the_training_domain(tmp_path):
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"train_domain": "original", "neural_in_domain": 0.7,
                                   "neural_ood_by_domain": {"blur": 0.6}}))
    assert neural_levels(summary) == {"original": 0.7, "blur": 0.6}


def test_every_section_says_why_when_its_table_is_empty():
    ctx = context()
    empty = pd.DataFrame
    sims = pd.read_csv(ROOT / "results/comparison/similarities.csv")
    sections = [
        profiles.section(empty(columns=PROFILE_COLUMNS),
                         empty(columns=["profile", "x", "y"]), ctx),
        similarity.section(sims.iloc[:0], {}, {}, {"faces": "FFA"}, ctx),
        robustness.section(pd.read_csv(ROOT / "results/robustness/gaps.csv").assign(
            status="excluded"), 7.0, ctx),
        encoding.section(pd.read_csv(ROOT / "results/analyses/encoding/accuracy.csv")
                         .iloc[:0], {"all": "all units"}, ["FFA"], ctx),
        divergence.section(empty(columns=["region", "model", "image_id"]), empty(),
                           empty(), {}, (), ["FFA"], ctx),
        companions.section(empty(columns=["system", "domain"]), {},
                           empty(columns=["measure"]), empty(), ctx)]
    for sec in sections:
        assert sec.panels == ()
        assert sec.text.startswith("Not available in this run:"), sec.key
    page = _page(sections)
    assert page.count("Not available in this run:") == 6


def test_the_decoding_panel_opens_on_the_training_domain_and_names_each_domain():
    curves = pd.read_csv(ROOT / "results/analyses/ood_decoding/curves.csv")
    panel = companions.ood_panel(curves, {"original": 0.7}, context())
    param = next(p for p in panel.spec["params"] if p["name"] == "ood_domain")
    train = curves.loc[curves["in_domain"], "domain"].iloc[0]
    assert param["value"] == train
    assert param["bind"]["labels"][0] == f"{train} (in domain)"
    assert all(label.endswith("(out of domain)") for label in param["bind"]["labels"][1:])


def _profiles(rng: np.random.Generator) -> pd.DataFrame:
    base = rng.standard_normal(30)
    rows = []
    for name, kind, shift in [("S1 FFA", "human", 0.0), ("S2 FFA", "human", 0.1),
                              ("Lite0 (faces)", "trained", 0.0),
                              ("Random 1 (faces)", "untrained", 5.0)]:
        r = base + shift * rng.standard_normal(30)
        rows.append(pd.DataFrame({"profile": name, "system": name.split(" (")[0],
                                  "kind": kind, "category": "faces", "region": "FFA",
                                  "position": np.arange(30), "image_id": np.arange(30),
                                  "group": "other", "response": r}))
    return pd.concat(rows, ignore_index=True)


def test_the_human_mean_is_the_subjects_mean_per_image():
    table = _profiles(np.random.default_rng(0))
    means = profiles.human_means(table)
    humans = table[table["kind"] == "human"].pivot(index="position", columns="profile",
                                                   values="response")
    np.testing.assert_allclose(means["human_mean"], humans.mean(axis=1))


def test_the_profile_map_puts_matching_profiles_together():
    table = _profiles(np.random.default_rng(1))
    emb = profile_map(table, seed=3).set_index("profile")
    assert emb.equals(profile_map(table, seed=3).set_index("profile"))
    xy = emb[["x", "y"]].to_numpy()
    d = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    names = list(emb.index)
    same = d[names.index("S1 FFA"), names.index("Lite0 (faces)")]
    other = d[names.index("S1 FFA"), names.index("Random 1 (faces)")]
    assert same < 0.2 * other
