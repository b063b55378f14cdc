"""The page `dvc plots show` renders into, with Vega, Vega-Lite and vega-embed inlined.

DVC's default page loads the three libraries from a CDN, so its plots are blank offline (and
on a reviewer's air-gapped machine). `.dvc/config` names this page (``plots.html_template``);
DVC fills ``{plot_divs}`` with one ``vegaEmbed(...)`` call per plot and, as the page has no
``{scripts}`` placeholder, adds no ``<script src>``. The bundle is vl-convert-python's (the
versions pinned in requirements.lock), so the bytes depend only on that pin.
"""

from __future__ import annotations

import html

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>selcomp: DVC plots</title>
<!-- Vega {vega}, Vega-Lite {vega_lite}, vega-embed {embed}: bundled by vl-convert-python -->
<script type="text/javascript">
{bundle}
</script>
<style>
body {{ font-family: sans-serif; }}
table {{ border-spacing: 15px; }}
</style>
</head>
<body>
<h1>selcomp: DVC plots</h1>
<p>Rendered offline: the plotting libraries are inlined in this page.</p>
{{plot_divs}}
</body>
</html>
"""


def page(bundle: str, vega: str, vega_lite: str, embed: str) -> str:
    """The HTML template: ``bundle`` (JavaScript that defines window.vega, window.vegaLite and
    window.vegaEmbed) inlined, the versions in a comment, ``{plot_divs}`` for DVC."""
    if "</script" in bundle.lower():
        raise ValueError("the JavaScript bundle contains '</script': it cannot be inlined")
    if "{plot_divs}" in bundle or "{scripts}" in bundle:
        raise ValueError("the JavaScript bundle contains a DVC placeholder")
    return PAGE.format(bundle=bundle, vega=html.escape(vega), vega_lite=html.escape(vega_lite),
                       embed=html.escape(embed))


def bundle_and_versions() -> tuple[str, dict[str, str]]:
    """vl-convert-python's bundle of Vega, the Vega-Lite that altair's specifications are
    written for (its schema's major.minor) and vega-embed, with the three versions. Raises
    ValueError when vl-convert-python carries no such Vega-Lite (the two pins disagree)."""
    from importlib.metadata import version

    import altair
    import vl_convert

    wanted = ".".join(altair.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if wanted not in vl_convert.get_vegalite_versions():
        raise ValueError(f"altair writes Vega-Lite {wanted}, which vl-convert-python "
                         f"{version('vl-convert-python')} does not bundle: pin matching versions")
    bundle = vl_convert.javascript_bundle(vl_version=wanted)  # type: ignore[call-arg]
    return bundle, {"Vega": vl_convert.get_vega_version(), "Vega-Lite": wanted,
                    "vega-embed": vl_convert.get_vega_embed_version()}


def bundled_page() -> str:
    """The template with vl-convert-python's bundle (the latest Vega-Lite it carries)."""
    import vl_convert

    # No snippet: the default one assigns window.vega, vegaLite and vegaEmbed (the stub file
    # marks the argument required; the function's signature has snippet=None)
    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]
    return page(bundle, vl_convert.get_vega_version(),
                vl_convert.get_vegalite_versions()[-1], vl_convert.get_vega_embed_version())
