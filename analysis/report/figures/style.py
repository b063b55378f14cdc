"""Shared figure style and byte-stable saving (PDF and PNG)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.atomic import atomic_path  # noqa: E402
from analysis.report.provenance import as_text  # noqa: E402

TRAINED = "#c0392b"
UNTRAINED = "#2c7fb8"
CATEGORY_COLORS = {"faces": "#e6550d", "bodies": "#31a354", "places": "#3182bd",
                   "characters": "#756bb1", "objects": "#636363"}
SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA — not a finding"

plt.rcParams.update({"font.size": 8, "axes.spines.top": False, "axes.spines.right": False,
                     "pdf.fonttype": 42, "svg.hashsalt": "selcomp", "figure.dpi": 100})


#: A control system (the noise-free simulated subject presented as a network, ...).
CONTROL = "#777777"


def system_color(kind: str, trained: bool) -> str:
    """The colour of a system: a control, a trained or an untrained network."""
    if kind == "control":
        return CONTROL
    return TRAINED if trained else UNTRAINED


def label_tier(fig: plt.Figure, tier: str) -> None:
    """Stamp figures made from the synthetic tiers so they cannot be mistaken for results."""
    if tier in ("demo", "public"):
        what = "SYNTHETIC DEMO DATA" if tier == "demo" else "synthetic brain data, real stimuli/weights"
        fig.suptitle(f"tier: {tier} — {what}", x=0.995, ha="right", fontsize=6,
                     color="#888888")


def empty_panel(ax: plt.Axes, reason: str) -> None:
    """Mark a panel that has nothing to show, and say why (e.g. a threshold that selects too
    few voxels): an explicit empty panel, not a blank one."""
    text = "\n".join(textwrap.fill(line, 36, break_long_words=False, break_on_hyphens=False)
                     for line in reason.splitlines())
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=6, color="#666666",
            transform=ax.transAxes)


def save(fig: plt.Figure, path: str | Path, provenance: dict[str, Any] | None = None) -> None:
    """Save a PDF, a PNG beside it and ``<name>.provenance.json``, atomically.

    The creation date is fixed by SOURCE_DATE_EPOCH (set here if unset), so the bytes depend
    only on the content. The provenance (stage, command, parameters, hashes of the inputs and
    code files) goes into the PDF's Keywords entry, the PNG's text chunk 'provenance' and the JSON
    manifest file.
    """
    path = Path(path)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1780012800")
    extra = {"provenance": as_text(provenance)} if provenance else {}
    keywords = extra.get("provenance", "")
    if provenance:
        with atomic_path(path.with_suffix(".provenance.json")) as tmp:
            tmp.write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="pdf", metadata={"Creator": "selcomp", "Producer": "matplotlib",
                                                 "Keywords": keywords})
    with atomic_path(path.with_suffix(".png")) as tmp:
        fig.savefig(tmp, format="png", dpi=150,
                    metadata={"Software": "selcomp", **{k: str(v) for k, v in extra.items()}})
    plt.close(fig)
