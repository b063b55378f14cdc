"""Drive the explorer page in Debian's Chromium (playwright, no browser download): open it
from disk with every request that would leave the file aborted and recorded, collect console
errors, and read or poke Vega's scenegraph (the page keeps each panel's view in
window.selcompViews; marks are named '<panel name>_marks')."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Chromium from packages-debian.txt (scripts/system-packages.sh installs it).
CHROMIUM = "chromium"

#: The items of a named mark in a view: datum, position on screen and visual properties.
ITEMS_JS = """([view, mark]) => {
  const out = [];
  const walk = (node) => {
    if (!node || !node.items) return;
    if (node.name === mark) node.items.forEach((it) => out.push(it));
    node.items.forEach((it) => (it.items || []).forEach(walk));
  };
  walk(window.selcompViews[view].scenegraph().root);
  return out.map((it) => {
    const box = it._svg ? it._svg.getBoundingClientRect() : null;
    const d = {};
    for (const k of Object.keys(it.datum || {})) {
      const v = it.datum[k];
      if (v === null || ["string", "number", "boolean"].includes(typeof v)) d[k] = v;
    }
    return {datum: d, opacity: it.opacity, stroke: it.stroke, fill: it.fill,
            strokeWidth: it.strokeWidth, size: it.size, text: it.text,
            x: box ? box.left + box.width / 2 : null, y: box ? box.top + box.height / 2 : null};
  });
}"""


def chromium() -> str:
    """The Chromium executable; AssertionError naming the Debian package when it is absent."""
    path = shutil.which(CHROMIUM)
    assert path, ("Chromium is not installed: it is in packages-debian.txt; run `make system` "
                  "(as root) or `apt-get install chromium`")
    return path


@dataclass
class Opened:
    """A loaded page with what it logged and what it tried to fetch."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def items(self, view: str, mark: str) -> list[dict[str, Any]]:
        return self.page.evaluate(ITEMS_JS, [view, mark])


def open_page(browser: Any, path: Path, width: int = 1400) -> Opened:
    """Open ``path`` in a new page, network blocked, and wait until every panel rendered."""
    page = browser.new_page(viewport={"width": width, "height": 1000})
    opened = Opened(page)

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            opened.requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: opened.errors.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: opened.errors.append(f"page error: {e}"))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready]", timeout=60_000)
    return opened
