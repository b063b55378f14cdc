"""What every explorer section shares: the section and panel containers, the tier's wording,
the systems' colours and names, and tables turned into Vega-Lite data (rounded, NaN as null).

A panel is a Vega-Lite specification (a dict, built with altair and validated against its
schema) with the results files its numbers come from; a section is one explorer of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

#: Significant digits kept for the numbers in the page (the results files keep 10).
DIGITS = 4


@dataclass(frozen=True)
class Panel:
    """One interactive chart: ``name`` (the HTML id, unique on the page), its Vega-Lite
    ``spec`` and the ``sources`` (paths relative to the repository root) of its numbers."""

    name: str
    spec: dict[str, Any]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """One explorer: an anchor ``key``, its ``title``, the ``figure`` it extends, a ``text``
    saying how to use it (plain text, escaped on the page) and its panels."""

    key: str
    title: str
    figure: str
    text: str
    panels: tuple[Panel, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Context:
    """The run the page shows: ``tier``, the networks in `models` order with their display
    ``names``, ``colors`` (the figures' palette) and whether each is ``trained``; the
    figures' grey for human data and their colour per category."""

    tier: str
    names: dict[str, str]
    colors: dict[str, str]
    trained: dict[str, bool]
    human_color: str
    category_colors: dict[str, str]

    @property
    def note(self) -> str:
        """The tier, as every chart's subtitle says it."""
        return {"demo": "tier: demo (SYNTHETIC brain and network data, not a finding)",
                "public": "tier: public (synthetic brain data, real stimuli and weights)",
                }.get(self.tier, f"tier: {self.tier}")

    def name(self, system: str) -> str:
        """A network's display name; other systems (subjects, controls) as given."""
        return self.names.get(system, system)

    def system_scale(self, systems: list[str], others: dict[str, str] | None = None
                     ) -> alt.Scale:
        """Colours for display names of ``systems``: networks in their figure colours,
        ``others`` (system -> colour) as given, every other system (subjects) grey."""
        domain = list(dict.fromkeys(systems))
        colors = {**self.colors, **(others or {})}
        return alt.Scale(domain=[self.name(s) for s in domain],
                         range=[colors.get(s, self.human_color) for s in domain])

    def category_scale(self, categories: list[str]) -> alt.Scale:
        """The figures' colour per category."""
        return alt.Scale(domain=categories,
                         range=[self.category_colors.get(c, "#636363") for c in categories])


def unavailable(key: str, heading: str, figure: str, reason: str) -> Section:
    """A section with nothing to draw on this run (an empty results table), saying why."""
    return Section(key, heading, figure, f"Not available in this run: {reason}")


def title(text: str, ctx: Context) -> alt.TitleParams:
    """A chart title with the tier as its subtitle."""
    return alt.TitleParams(text=text, subtitle=ctx.note, anchor="start",
                           subtitleColor="#b03a2e" if ctx.tier != "nsd" else "#555555")


def rounded(value: Any) -> Any:
    """A float to DIGITS significant digits (None for NaN and infinities); others as given."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{DIGITS}g}")
    return value


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value, rounded (:func:`rounded`)."""
    return rounded(value.item() if hasattr(value, "item") else value)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``df`` as JSON-ready dicts (numpy scalars made Python, floats rounded)."""
    return [{str(k): plain(v) for k, v in row.items()}
            for row in df.astype(object).to_dict(orient="records")]


def packed(df: pd.DataFrame, keys: list[str], arrays: list[str]) -> alt.Data:
    """``df`` as one row per combination of ``keys`` (in order of appearance) holding each
    column of ``arrays`` as a list in row order, for a flatten transform to unpack in the
    browser: a long table's field names are then written once per group, not once per row
    (a tenth of the size for NSD's 1000 images)."""
    rows = []
    for key, group in df.groupby(keys, sort=False):
        row = {k: plain(v) for k, v in zip(keys, key, strict=True)}
        row.update({c: [plain(v) for v in group[c].tolist()] for c in arrays})
        rows.append(row)
    return alt.Data(values=rows)


def data(df: pd.DataFrame) -> alt.Data:
    """``df`` inlined as Vega-Lite data values."""
    return alt.Data(values=records(df))


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite specification, validated against altair's schema."""
    return chart.to_dict(validate=True)
