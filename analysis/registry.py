"""The analysis registry: every folder of ``analysis/analyses/`` that declares an Analysis.

An analysis folder ``analysis/analyses/<name>/`` holds one analysis end to end:

* ``spec.py``: ``ANALYSIS = Analysis(...)``, what the rest of the compendium needs to know
  (its command, parameter block, results and macros contributions);
* ``params.py``: its parameter block, a :class:`analysis.config.Block` read from the
  ``<name>`` key of params.yaml and validated with every other block before any stage runs,
  and its output folder; the stage imports this, not ``spec.py``, so that editing the report
  does not rerun the analysis;
* ``stage.py``: its DVC stage, ``run(args)``: load → compute → write into
  ``results/analyses/<name>/`` (``summary.json`` among its files);
* ``report.py``: ``results(summary)`` (its section of results.json, key ``<name>``),
  ``macros(section, context)`` (its LaTeX numbers) and, if it has any, ``tables(section)``
  (its generated LaTeX tables);
* its own method modules (pure functions over arrays and tables) and figure, if any.

The CLI (a command per analysis), the parameter schema (:func:`analysis.config.params_model`),
the ``results`` and ``macros`` stages iterate over :func:`analyses`, so adding an analysis is
one new folder, one ``dvc.yaml`` stage and one params.yaml block (CONTRIBUTING.md). The
registry imports ``spec.py`` modules at run time (``importlib``), so a stage's code deps do not
grow with the registry: only the ``results`` and ``macros`` stages, which import this module
directly, depend on the whole ``analysis/analyses`` folder (scripts/code_deps.py).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from analysis import paths

if TYPE_CHECKING:
    from analysis.config import Block

#: The folder of the analysis packages (one sub-package per analysis).
FOLDER = Path(__file__).resolve().parent / "analyses"

B = TypeVar("B", bound="Block")


@dataclass(frozen=True)
class MacroContext:
    """What an analysis's macros may need beyond its results section: the regions whose
    fLOC contrast is one of the categories (roi_definitions order) and the categories."""

    regions: list[str]
    categories: list[str]


@dataclass(frozen=True)
class Analysis(Generic[B]):
    """One registered analysis.

    name: the folder's name, the params.yaml key of its block and the results.json key of its
    section; command: its CLI command and DVC stage name; stage: the dotted module whose
    ``run(args)`` the command calls (imported only when that command runs); params: its
    parameter block; results: its summary.json -> its results.json section; macros: (its
    results section, the context) -> LaTeX macro name -> value, names unique across the
    compendium; tables: its results section -> generated LaTeX table file name -> text (in
    manuscript/generated/, none by default); key: its params.yaml key when that is not its
    name; more_stages: (command, module, help) of stages that prepare its inputs, each a DVC
    stage of its own.
    """

    name: str
    command: str
    help: str
    stage: str
    params: type[B]
    results: Callable[[dict[str, Any]], dict[str, Any]]
    macros: Callable[[dict[str, Any], MacroContext], dict[str, str]]
    tables: Callable[[dict[str, Any]], dict[str, str]] = lambda section: {}
    key: str | None = None
    more_stages: tuple[tuple[str, str, str], ...] = ()

    @property
    def params_key(self) -> str:
        """The params.yaml key of its block: ``key``, else its name."""
        return self.key or self.name

    def commands(self) -> dict[str, tuple[str, str]]:
        """CLI command -> (stage module, help) of its stages, the main one first."""
        return {self.command: (self.stage, self.help),
                **{c: (m, h) for c, m, h in self.more_stages}}

    @property
    def output(self) -> Path:
        """The stage's output folder: results/analyses/<name>/."""
        return paths.ANALYSES / self.name

    @property
    def summary(self) -> Path:
        """The stage's summary, which :attr:`results` reads."""
        return self.output / "summary.json"



@functools.cache
def analyses() -> tuple[Analysis[Any], ...]:
    """Every analysis under analysis/analyses/, in folder-name order. A folder without
    ``spec.py``, a spec whose name is not its folder's or a command declared twice raises
    RuntimeError naming the folder and the fix."""
    found: list[Analysis[Any]] = []
    for info in sorted(pkgutil.iter_modules([str(FOLDER)]), key=lambda i: i.name):
        if not info.ispkg:
            continue
        if not (FOLDER / info.name / "spec.py").is_file():
            raise RuntimeError(f"analysis/analyses/{info.name}/ has no spec.py: declare "
                               "ANALYSIS = Analysis(...) there (see analysis/registry.py)")
        spec = importlib.import_module(f"analysis.analyses.{info.name}.spec").ANALYSIS
        if not isinstance(spec, Analysis) or spec.name != info.name:
            raise RuntimeError(f"analysis/analyses/{info.name}/spec.py: ANALYSIS must be an "
                               f"analysis.registry.Analysis named {info.name!r}")
        found.append(spec)
    commands = [c for a in found for c in a.commands()]
    twice = sorted({c for c in commands if commands.count(c) > 1})
    if twice:
        raise RuntimeError(f"analysis/analyses: commands {twice} are declared by more than one "
                           "analysis")
    return tuple(found)
