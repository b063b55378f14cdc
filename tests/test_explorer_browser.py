"""The explorer page in a real browser (Debian's Chromium through playwright), network
blocked: it renders every section with no console error and no request leaving the file, and
its interactions work — hovering an image shows its thumbnail, clicking a system pins it in
the similarity matrix, the threshold slider moves the gap, hovering a subject follows it,
clicking a profile draws it.

The page is built by the explore stage's own code from the committed results tables; only the
two inputs that live in DVC's cache (the selected voxels' and units' profiles, the image
thumbnails) are replaced by synthetic ones, so the test runs on a fresh clone. The pipeline's
own page is opened by tests/test_explorer_pipeline.py after `make repro`. Screenshots go to
$SELCOMP_SCREENSHOTS when set (else the test's temporary folder)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

from analysis import paths
from analysis.report.explorer.common import rounded
from analysis.report.explorer.thumbnails import data_uri
from analysis.stages import explore
from tests.explorer_browser import chromium, open_page

ROOT = Path(__file__).resolve().parents[1]


def synthetic_profiles(params, main: dict[str, str]) -> pd.DataFrame:
    """Profiles of 3 subjects and every network per main region over 40 images."""
    rng = np.random.default_rng(0)
    rows = []
    for category, region in main.items():
        systems = [(f"S{s} {region}", f"S{s} {region}", "human") for s in (1, 2, 3)]
        systems += [(f"{m} ({category})", m, "trained" if params.zoo[m].trained
                     else "untrained") for m in params.models]
        for profile, system, kind in systems:
            rows.append(pd.DataFrame({
                "profile": profile, "system": system, "kind": kind, "category": category,
                "region": region, "position": np.arange(40), "image_id": np.arange(40),
                "group": "other", "response": rng.standard_normal(40)}))
    return pd.concat(rows, ignore_index=True)


def synthetic_thumbnails(ids: set[int]) -> dict[int, np.ndarray]:
    """A flat image per id whose colour encodes the id (so a thumbnail names its image)."""
    return {i: np.full((128, 128, 3), (i % 251, (i // 251) % 251, 77), dtype=np.uint8)
            for i in sorted(ids)}


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("explorer") / "index.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        mp.setattr(explore, "selective_profiles", synthetic_profiles)
        mp.setattr(explore, "thumbnails", synthetic_thumbnails)
        mp.setattr(paths, "EXPLORER", out)
        explore.run(argparse.Namespace(params="params.yaml"))
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium())
        yield b
        b.close()


@pytest.fixture()
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SELCOMP_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_section_renders_offline_without_errors(page_file, browser, shots):
    o = open_page(browser, page_file)
    assert o.page.get_attribute("body", "data-ready") == "true"
    assert o.errors == []
    assert o.requests == []
    for key in ("profiles", "similarity", "robustness", "encoding", "divergence", "companions"):
        assert o.page.locator(f"section#{key}").count() == 1
    panels = o.page.locator("div.panel")
    assert panels.count() == 8
    for k in range(panels.count()):
        assert panels.nth(k).locator("svg").count() >= 1, panels.nth(k).get_attribute("id")
    # every panel draws data in its opening state (not only axes)
    for view, mark in [("profiles", "profile_map_marks"), ("profiles", "profile_trace_marks"),
                       ("similarity", "sim_points_0_marks"), ("similarity", "sim_matrix_marks"),
                       ("similarity", "sim_map_2_marks"), ("robustness", "rob_values_1_marks"),
                       ("robustness", "rob_curves_0_marks"), ("encoding", "enc_dots_marks"),
                       ("divergence", "div_points_marks"),
                       ("contrasts", "contrast_estimates_marks"),
                       ("ood", "ood_lines_marks"), ("ood", "ood_levels_marks"),
                       ("apa", "apa_matrix_marks"), ("apa", "apa_systems_marks")]:
        assert len(o.items(view, mark)) > 0, (view, mark)
    assert "Synthetic data" in o.page.inner_text("#tier-banner")
    subtitles = o.page.locator("svg text", has_text="tier: demo")
    assert subtitles.count() >= 8
    o.page.screenshot(path=shots / "explorer_full.png", full_page=True)


def test_hovering_an_image_shows_its_thumbnail_labels_and_residual(page_file, browser, shots):
    o = open_page(browser, page_file)
    point = max(o.items("divergence", "div_points_marks"),
                key=lambda p: abs(p["datum"]["residual"]))
    o.page.locator("#panel-divergence").scroll_into_view_if_needed()
    point = next(p for p in o.items("divergence", "div_points_marks")
                 if p["datum"]["image_id"] == point["datum"]["image_id"]
                 and p["datum"]["region"] == point["datum"]["region"])
    o.page.mouse.move(point["x"], point["y"])
    tip = o.page.locator("#vg-tooltip-element.visible")
    tip.wait_for(timeout=5_000)
    src = tip.locator("img").get_attribute("src")
    image_id = point["datum"]["image_id"]
    assert src == data_uri(synthetic_thumbnails({image_id})[image_id])  # this image's own
    text = tip.inner_text()
    assert point["datum"]["labels"] in text
    assert f"{point['datum']['residual']:.2f}" in text
    assert "results/analyses/divergence/images.csv" in text
    o.page.screenshot(path=shots / "explorer_divergence_hover.png",
                      clip={"x": 0, "y": max(point["y"] - 300, 0), "width": 1400,
                            "height": 600})
    assert o.errors == []


def test_clicking_a_network_pins_it_in_the_matrix_and_the_map(page_file, browser, shots):
    o = open_page(browser, page_file)
    o.page.locator("#panel-similarity").scroll_into_view_if_needed()
    cells = o.items("similarity", "sim_matrix_marks")
    assert {c["opacity"] for c in cells} == {1}
    target = next(p for p in o.items("similarity", "sim_points_0_marks")
                  if not p["datum"]["system"].startswith("S"))
    name = target["datum"]["system"]
    o.page.mouse.click(target["x"], target["y"])
    o.page.wait_for_timeout(300)
    cells = o.items("similarity", "sim_matrix_marks")
    lit = {(c["datum"]["system"], c["datum"]["other"]) for c in cells if c["opacity"] == 1}
    dim = {(c["datum"]["system"], c["datum"]["other"]) for c in cells if c["opacity"] < 1}
    assert lit and dim
    assert all(name in pair for pair in lit)
    assert all(name not in pair for pair in dim)
    mapped = [p for p in o.items("similarity", "sim_map_2_marks")
              if p["stroke"] == "black"]
    assert [p["datum"]["system"] for p in mapped] == [name]
    points = o.items("similarity", "sim_points_0_marks")
    assert {p["opacity"] > 0.5 for p in points if p["datum"]["system"] == name} == {True}
    assert {p["opacity"] > 0.5 for p in points if p["datum"]["system"] != name} == {False}
    o.page.screenshot(path=shots / "explorer_similarity_pinned.png",
                      clip={"x": 0, "y": max(target["y"] - 400, 0), "width": 1400,
                            "height": 700})
    assert o.errors == []


def test_clicking_a_subject_pins_it_in_every_pair_it_is_part_of(page_file, browser):
    o = open_page(browser, page_file)
    o.page.locator("#panel-similarity").scroll_into_view_if_needed()
    points = o.items("similarity", "sim_points_0_marks")
    subject = "S1 FFA"  # subject a of every pair it is in: pinned through the partner field
    target = next(p for p in points if p["datum"]["system"] == "S2 FFA"
                  and p["datum"]["partner"] == subject)
    o.page.mouse.click(target["x"], target["y"])
    o.page.wait_for_timeout(300)
    points = o.items("similarity", "sim_points_0_marks")
    lit = [p for p in points if p["opacity"] > 0.5]
    assert lit and all("S2 FFA" in (p["datum"]["system"], p["datum"]["partner"]) for p in lit)
    # S2's pairs with every other subject and with every network
    assert {p["datum"]["partner"] for p in lit if p["datum"]["system"] == "S2 FFA"} == {subject}
    assert len({p["datum"]["system"] for p in lit}) > 2
    cells = o.items("similarity", "sim_matrix_marks")
    assert all("S2 FFA" in (c["datum"]["system"], c["datum"]["other"])
               for c in cells if c["opacity"] == 1)
    assert o.errors == []


def test_the_threshold_slider_moves_the_gap_to_that_threshold(page_file, browser, shots):
    gaps = pd.read_csv(ROOT / "results/robustness/gaps.csv")
    shown = gaps[(gaps["networks"] == "pooled_trained") & (gaps["measure"] == "univariate")
                 & (gaps["status"] == "ok")]
    o = open_page(browser, page_file)
    slider = o.page.locator("#panel-robustness input[type=range]")
    slider.scroll_into_view_if_needed()

    def values() -> dict[tuple[str, str], str]:
        return {(t["datum"]["roi"], t["datum"]["localizer"]): t["text"]
                for t in o.items("robustness", "rob_values_1_marks")}

    for threshold in sorted(set(shown["threshold"]))[:2]:
        slider.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                        str(threshold))
        o.page.wait_for_timeout(300)
        expected = {(r.roi, r.localizer): f"{rounded(r.gap_corrected):.3f}"
                    for r in shown[shown["threshold"] == threshold].itertuples()}
        assert values() == expected
    o.page.screenshot(path=shots / "explorer_robustness_slider.png", full_page=False)
    assert o.errors == []


def test_hovering_a_subject_follows_it_across_conditions(page_file, browser):
    o = open_page(browser, page_file)
    o.page.locator("#panel-encoding").scroll_into_view_if_needed()
    dots = o.items("encoding", "enc_dots_marks")
    assert {d["opacity"] for d in dots} == {0.5}
    target = dots[0]
    o.page.mouse.move(target["x"], target["y"])
    o.page.wait_for_timeout(300)
    subject = target["datum"]["subject"]
    dots = o.items("encoding", "enc_dots_marks")
    lit = {(d["datum"]["subject"]) for d in dots if d["opacity"] == 1}
    assert lit == {subject}
    regions = {d["datum"]["region"] for d in dots if d["opacity"] == 1}
    assert len(regions) > 1  # the same subject lit in every region's panel
    assert o.errors == []


def test_clicking_a_profile_draws_it_beside_the_human_mean(page_file, browser):
    o = open_page(browser, page_file)
    points = o.items("profiles", "profile_map_marks")
    target = next(p for p in points if p["datum"]["kind"] == "untrained")
    o.page.mouse.click(target["x"], target["y"])
    o.page.wait_for_timeout(300)
    series = {p["datum"]["series"] for p in o.items("profiles", "profile_trace_marks")}
    assert series == {target["datum"]["system"], "human mean of the region"}
    assert o.errors == []
