"""The import graph of the package keeps its layers: nothing imports from a layer above it.

Layers, from the ground up (a module may import its own layer and those listed for it):

* ground: the data model and shared names — ``errors``, ``seeds``, ``hashing``, ``paths``,
  ``atomic``, ``responses``, ``vocabulary``, ``selection`` (the one selection rule);
* ``config`` (the parameter schema) and ``methods`` (reusable pure methods over arrays and
  tables): ground only, and neither imports the other; ``stats`` (the core analyses' pure
  statistics) over ground and the methods;
* foundations: ``io`` (stores and datasets) and ``nets`` (networks), each over ground and
  config, neither over the methods nor each other;
* ``demo`` (the synthetic dataset, written in NSD's formats with the methods' ncsnr) and
  ``validation`` (planted worlds over the methods); ``report`` (formatting, figures, macros)
  over ground and config;
* ``analyses``: an analysis folder's own modules (``analysis/analyses/<name>/``: its params,
  methods, summary, report and figure) over ground, config, the methods and report; its
  stages (``stage.py``, ``<what>_stage.py``) are stages. ``registry`` (which finds the
  folders at run time) is config;
* ``stages`` (load → compute → write) over all of the above; the CLI (``__main__``,
  ``variant``) over everything.

Every import counts, including the lazy ones inside functions.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis"
GROUND = {"errors", "seeds", "hashing", "paths", "atomic", "responses", "vocabulary",
          "selection", "__init__"}
ALLOWED = {
    "ground": {"ground"},
    "config": {"ground"},
    "methods": {"ground"},
    "stats": {"ground", "methods"},
    "io": {"ground", "config"},
    "nets": {"ground", "config"},
    "demo": {"ground", "config", "io", "methods", "stats"},
    "validation": {"ground", "config", "methods", "stats"},
    "report": {"ground", "config"},
    "analyses": {"ground", "config", "methods", "stats", "report"},
    "stages": {"ground", "config", "methods", "stats", "io", "nets", "demo", "validation",
               "report", "analyses"},
    "cli": {"ground", "config", "methods", "stats", "io", "nets", "demo", "validation",
            "report", "analyses", "stages"},
}


def layer(module: str) -> str:
    """The layer of a dotted module name under ``analysis``."""
    top = module.split(".")[1] if "." in module else "__init__"
    if top in GROUND:
        return "ground"
    if top in ("__main__", "variant"):
        return "cli"
    if top == "registry":
        return "config"
    if top == "analyses" and module.split(".")[-1].endswith("stage"):
        return "stages"
    if top in ALLOWED:
        return top
    raise AssertionError(f"analysis.{top} belongs to no layer: add it to tests/test_layers.py")


def imports(path: Path) -> list[str]:
    """Every ``analysis`` module a file imports (``from analysis import x`` names x)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "analysis":
            out += ([f"analysis.{a.name}" for a in node.names] if node.module == "analysis"
                    else [node.module])
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.split(".")[0] == "analysis"]
    return out


def modules() -> list[tuple[str, Path]]:
    return sorted((".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts), p)
                  for p in PACKAGE.rglob("*.py"))


def violations(files: list[tuple[str, Path]]) -> list[str]:
    """'module (layer) imports target (layer)' for every import against the layers."""
    wrong = []
    for name, path in files:
        own = layer(name)
        for target in imports(path):
            other = layer(target)
            if other != own and other not in ALLOWED[own]:
                wrong.append(f"{name} ({own}) imports {target} ({other})")
    return wrong


def test_no_module_imports_from_a_higher_layer():
    wrong = violations(modules())
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_check_sees_lazy_imports_and_names_the_offender(tmp_path):
    bad = tmp_path / "lazy.py"
    bad.write_text("import numpy\n\ndef f():\n    from analysis.stages import compare\n"
                   "    from analysis import config\n    import analysis.io.nsd.layout\n")
    assert imports(bad) == ["analysis.stages", "analysis.config", "analysis.io.nsd.layout"]
    assert violations([("analysis.stats.fake", bad)]) == [
        "analysis.stats.fake (stats) imports analysis.stages (stages)",
        "analysis.stats.fake (stats) imports analysis.config (config)",
        "analysis.stats.fake (stats) imports analysis.io.nsd.layout (io)"]
    assert violations([("analysis.stages.fake", bad)]) == []
    assert layer("analysis.vocabulary") == "ground"
    assert layer("analysis.analyses.toy.stage") == "stages"
    assert layer("analysis.analyses.toy.summary") == "analyses"
    assert violations([("analysis.analyses.toy.summary", bad)]) == [
        "analysis.analyses.toy.summary (analyses) imports analysis.stages (stages)",
        "analysis.analyses.toy.summary (analyses) imports analysis.io.nsd.layout (io)"]
    with pytest.raises(AssertionError, match="analysis.newlayer belongs to no layer"):
        layer("analysis.newlayer.x")
