"""The pipeline's own explorer page (explorer/index.html, written by `dvc repro`; run after
`make repro`, as CI does): it is the version dvc.lock records, renders every section in
Chromium with the network blocked and no console error, shows a real thumbnail on hover and
stays under the stated size."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import sync_playwright

from analysis import config, paths
from tests.explorer_browser import chromium, open_page

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
#: The demo page's size limit (README: 1.72 MB, 0.90 MB of it the plotting libraries).
MAX_BYTES = 2_500_000


def test_the_pipeline_s_page_renders_offline_with_thumbnails(tmp_path):
    page_file = ROOT / paths.EXPLORER
    assert page_file.is_file(), f"{paths.EXPLORER} is missing: run `make explore`"
    lock = yaml.safe_load((ROOT / "dvc.lock").read_text())["stages"]["explore"]
    recorded = next(o["md5"] for o in lock["outs"] if o["path"] == str(paths.EXPLORER))
    assert hashlib.md5(page_file.read_bytes()).hexdigest() == recorded
    assert page_file.stat().st_size < MAX_BYTES
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium())
        o = open_page(browser, page_file)
        assert o.page.get_attribute("body", "data-ready") == "true"
        assert o.errors == [] and o.requests == []
        panels = o.page.locator("div.panel")
        for k in range(panels.count()):
            assert panels.nth(k).locator("svg").count() >= 1
        # a point per subject's main region and per network's selective units, per category
        params = config.load_params(ROOT / "params.yaml")
        main = [c for c in params.categories if params.main_region(c) is not None]
        profiles = o.items("profiles", "profile_map_marks")
        assert len(profiles) == len(main) * (len(params.subjects) + len(params.models))
        o.page.locator("#panel-divergence").scroll_into_view_if_needed()
        point = o.items("divergence", "div_points_marks")[0]
        o.page.mouse.move(point["x"], point["y"])
        tip = o.page.locator("#vg-tooltip-element.visible img")
        tip.wait_for(timeout=5_000)
        assert tip.get_attribute("src").startswith("data:image/jpeg;base64,")
        o.page.screenshot(path=tmp_path / "explorer.png", full_page=True)
        browser.close()
