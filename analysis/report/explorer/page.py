"""The explorer page: one self-contained HTML file with Vega, Vega-Lite and vega-embed
inlined (no request leaves the file), a section per explorer, the tier in a banner and on
every chart, links from every panel to the results files behind its numbers, and the
stage's provenance embedded. The bytes depend only on the inputs (no time, no random id)."""

from __future__ import annotations

import html
import json
from typing import Any

from analysis.report.explorer.common import Context, Section

BANNERS = {"demo": "Synthetic data (demo tier): every number on this page comes from the "
                   "simulated brain and the demo's networks. It tests the pipeline; it is not "
                   "a finding.",
           "public": "Public tier: real stimuli and network weights, but simulated brain "
                     "responses. Not a finding about the brain."}

STYLE = """body { font-family: system-ui, sans-serif; margin: 0 2em 3em; color: #222;
  max-width: 1400px; }
.banner { background: #fdecea; border: 1px solid #b03a2e; color: #7b241c; padding: .6em 1em;
  margin: 1em 0; font-weight: 600; }
.banner.nsd { background: #eef5ee; border-color: #2e7d32; color: #1b5e20; font-weight: 400; }
section { border-top: 1px solid #ddd; margin-top: 2em; padding-top: .5em; }
.panel { margin: 1em 0; overflow-x: auto; }
.sources { font-size: .85em; color: #555; }
nav a { margin-right: 1em; }
details { font-size: .85em; }
pre { white-space: pre-wrap; }
#vg-tooltip-element img { max-width: 96px; display: block; margin-bottom: 4px; }"""

SCRIPT = """(function () {
  var specs = JSON.parse(document.getElementById("selcomp-specs").textContent);
  var options = {renderer: "svg", actions: false};
  window.selcompViews = {};
  Promise.all(Object.keys(specs).map(function (id) {
    return vegaEmbed("#panel-" + id, specs[id], options).then(function (result) {
      window.selcompViews[id] = result.view;
    });
  })).then(function () {
    document.body.setAttribute("data-ready", "true");
  }, function (error) {
    document.body.setAttribute("data-ready", "error");
    console.error(error);
  });
})();"""


def _json(obj: Any) -> str:
    """Compact, sorted JSON safe inside a <script> element."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False,
                      ensure_ascii=True)
    return text.replace("</", "<\\/")


def _section(s: Section) -> str:
    panels = []
    for p in s.panels:
        links = ", ".join(f'<a href="../{html.escape(src)}">{html.escape(src)}</a>'
                          for src in p.sources)
        panels.append(f'<div class="panel" id="panel-{html.escape(p.name)}"></div>\n'
                      f'<p class="sources">Numbers from {links}</p>')
    return (f'<section id="{html.escape(s.key)}">\n<h2>{html.escape(s.title)} '
            f'<small>({html.escape(s.figure)})</small></h2>\n<p>{html.escape(s.text)}</p>\n'
            + "\n".join(panels) + "\n</section>")


def render(sections: list[Section], ctx: Context, provenance: dict[str, Any], bundle: str,
           versions: dict[str, str]) -> str:
    """The page. ``bundle``: JavaScript defining vegaEmbed (vl-convert-python's);
    ``versions``: library -> version, stated in the page. Raises ValueError if the bundle
    cannot be inlined or two panels share a name."""
    if "</script" in bundle.lower():
        raise ValueError("the JavaScript bundle contains '</script': it cannot be inlined")
    names = [p.name for s in sections for p in s.panels]
    if len(set(names)) != len(names):
        raise ValueError(f"panel names repeat: {sorted(names)}")
    specs = {p.name: p.spec for s in sections for p in s.panels}
    banner = BANNERS.get(ctx.tier, f"Tier {ctx.tier}: the real Natural Scenes Dataset.")
    nav = " ".join(f'<a href="#{html.escape(s.key)}">{html.escape(s.title)}</a>'
                   for s in sections)
    libs = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in sorted(versions.items()))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>selcomp: interactive explorers ({html.escape(ctx.tier)} tier)</title>
<style>
{STYLE}
</style>
<script type="text/javascript">
{bundle}
</script>
</head>
<body data-tier="{html.escape(ctx.tier)}">
<h1>Category-selective units and regions: interactive explorers</h1>
<div class="banner {html.escape(ctx.tier)}" id="tier-banner">{html.escape(banner)}</div>
<p>Built by the pipeline's <code>explore</code> stage from the same results files as the
figures; it opens from disk with no network ({libs} are inlined). Hover a mark for its values
and the file they come from.</p>
<nav>{nav}</nav>
{chr(10).join(_section(s) for s in sections)}
<section id="provenance">
<h2>Provenance</h2>
<details><summary>Stage, command, parameters and the hash of every input</summary>
<pre>{html.escape(json.dumps(provenance, indent=1, sort_keys=True))}</pre></details>
</section>
<script type="application/json" id="selcomp-provenance">{_json(provenance)}</script>
<script type="application/json" id="selcomp-specs">{_json(specs)}</script>
<script type="text/javascript">
{SCRIPT}
</script>
</body>
</html>
"""
