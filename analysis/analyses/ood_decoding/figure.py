"""Figure 8: out-of-domain decoding (the domains, the unit curves, the matched populations'
accuracy per domain, the extrapolation and the scaling sweep)."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report.figures.style import CONTROL, FULL_WIDTH
from analysis.vocabulary import NEGATIVE_CONTROL

NEURAL = "#000000"


def ood_decoding(domains: pd.DataFrame, curves: pd.DataFrame, matched: pd.DataFrame,
                 examples: np.ndarray, domain_names: list[str], target: float,
                 extrapolation: pd.DataFrame, sweep: pd.DataFrame, fit: dict,
                 names: dict[str, str], colors: dict[str, str]) -> plt.Figure:
    """a) the domains (one base image); b) in-domain 2AFC against the number of units per
    model and of sites of the neural population (``curves``: mean and SD per system, count
    and domain), the full population's accuracy as the target line and the matched count
    marked; c) accuracy per domain of the neural population and of each model's matched
    population; d) matched population minus neural per out-of-domain domain; e) the paper's
    Fig 3E: mean OOD accuracy (band: SD over domains) against the population size in
    site-equivalents (``extrapolation``), the neural log fit (``fit``: a, b, fit_sites,
    extrapolate_to) dashed to extrapolate_to sites and dotted beyond, capped at 1 (the
    largest 2AFC accuracy); f) Fig B.3: each
    model's full layer minus the extrapolated population against the number of sites the
    scaling was determined with (``sweep``; open markers: match below 2 units).
    names/colors: system -> display name / colour (controls absent from colors are drawn in
    the control grey). One legend for all panels, below them. Drawn at the text width."""
    fig = plt.figure(figsize=(FULL_WIDTH, 6.4), layout="constrained")
    grid = fig.add_gridspec(3, 3, height_ratios=[0.5, 1.0, 1.0])
    strip = fig.add_subplot(grid[0, :])
    strip.imshow(np.concatenate(list(examples), axis=1))
    side = examples.shape[2]
    strip.set_xticks([side * (k + 0.5) for k in range(len(domain_names))],
                     [d.replace("_", " ") for d in domain_names])
    strip.set_yticks([])
    strip.tick_params(length=0)
    strip.set_title("a  image domains (one fLoc image; decoders are trained on the first)",
                    loc="left", fontweight="bold")
    ax = fig.add_subplot(grid[1, 0])
    kinds = matched.set_index("system")["kind"]

    def color(system: str) -> str:
        return colors.get(system, CONTROL)

    def name(system: str) -> str:
        return names.get(system, system.replace("_", " "))
    for system, g in curves[curves["in_domain"]].groupby("system", sort=False):
        m = g.set_index("count")[["mean", "std"]]
        ls = "--" if system == NEGATIVE_CONTROL else "-"
        c = NEURAL if system == "neural" else color(system)
        label = "neural population (sites)" if system == "neural" else name(system)
        ax.plot(m.index, m["mean"], color=c, lw=0.8, marker="o", ms=1.5, ls=ls, label=label)
        ax.fill_between(m.index, m["mean"] - m["std"], m["mean"] + m["std"], color=c,
                        alpha=0.12)
        if system in kinds.index and np.isfinite(
                n := matched.set_index("system").loc[system, "matched_units"]):
            ax.axvline(n, color=c, lw=0.5, ls=":")
    ax.axhline(target, color=NEURAL, lw=0.6, ls=(0, (4, 2)), label="neural, all sites")
    ax.axhline(0.5, color="#999999", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("units sampled (log)")
    ax.set_ylabel("in-domain 2AFC accuracy")
    ax.set_title("b  unit-count matching", loc="left", fontweight="bold")
    handles = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    ax = fig.add_subplot(grid[1, 1])
    x = np.arange(len(domain_names))
    neural = domains[domains["system"] == "neural"].set_index("domain").reindex(domain_names)
    ax.errorbar(x, neural["mean"], yerr=neural["std"], color=NEURAL, marker="s", ms=2.5,
                lw=0.8, capsize=1.5, elinewidth=0.6)
    matched_rows = domains[domains["population"] == "matched"]
    for k, (system, g) in enumerate(matched_rows.groupby("system", sort=False)):
        g = g.set_index("domain").reindex(domain_names)
        ax.errorbar(x + 0.08 * (k + 1), g["mean"], yerr=g["std"], color=color(system),
                    marker="o", ms=2, lw=0.6, capsize=1, elinewidth=0.5, alpha=0.9)
    ax.axhline(0.5, color="#999999", lw=0.5)
    ax.set_xticks(x, [d.replace("_", " ") for d in domain_names], rotation=90)
    ax.set_ylabel("2AFC accuracy\n(mean ± SD over splits)")
    ax.set_title("c  per domain (matched)", loc="left", fontweight="bold")
    ax = fig.add_subplot(grid[1, 2])
    ood = [d for d in domain_names if d != domain_names[0]]
    groups = list(matched_rows.groupby("system", sort=False))
    width = 0.8 / max(1, len(groups))
    for k, (system, g) in enumerate(groups):
        g = g.set_index("domain").reindex(ood)
        ax.bar(np.arange(len(ood)) - 0.4 + width * (k + 0.5), g["minus_neural"], width=width,
               color=color(system), alpha=0.85 if kinds.get(system) == "trained" else 0.6)
    ax.axhline(0, color="#999999", lw=0.6)
    ax.set_xticks(np.arange(len(ood)), [d.replace("_", " ") for d in ood], rotation=90)
    ax.set_ylabel("matched model − neural (2AFC)")
    ax.set_title("d  out-of-domain gap", loc="left", fontweight="bold")
    ax = fig.add_subplot(grid[2, :2])
    _extrapolation_panel(ax, extrapolation, fit, color)
    handles.update(dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True)))
    _sweep_panel(fig.add_subplot(grid[2, 2]), sweep, color)
    fig.legend(handles=list(handles.values()), labels=list(handles), loc="outside lower center",
               ncol=3)
    return fig


def _extrapolation_panel(ax: plt.Axes, extrapolation: pd.DataFrame, fit: dict,
                         color: Callable[[str], str]) -> None:
    """Figure 8e (the paper's Fig 3E); see :func:`ood_decoding`."""
    for system, g in extrapolation.groupby("system", sort=False):
        g = g[g["site_equivalents"] > 0]
        if g.empty:
            continue
        neural = system == "neural"
        c = NEURAL if neural else color(system)
        ax.plot(g["site_equivalents"], g["mean"], color=c, lw=0 if neural else 0.8,
                marker="s" if neural else "o", ms=2 if neural else 1.5,
                label="neural population (sites)" if neural else None)
        ax.fill_between(g["site_equivalents"], g["mean"] - g["sd"], g["mean"] + g["sd"],
                        color=c, alpha=0.08 if neural else 0.12, lw=0)
    end = max(fit["extrapolate_to"], float(extrapolation["site_equivalents"].max()))
    for lo, hi, ls in ((fit["fit_sites"][0], fit["extrapolate_to"], "--"),
                       (fit["extrapolate_to"], end, ":")):
        if hi > lo:
            x = np.geomspace(lo, hi, 50)
            ax.plot(x, np.minimum(fit["a"] * np.log(x) + fit["b"], 1.0), color=NEURAL, lw=0.8,
                    ls=ls,
                    label=(f"neural fit {fit['a']:.3f} ln(sites) + {fit['b']:.2f}"
                           if ls == "--" else None))
    ax.axvline(fit["extrapolate_to"], color="#999999", lw=0.5, ls=":")
    ax.axhline(0.5, color="#999999", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("population size (site-equivalents, log)")
    ax.set_ylabel("mean OOD 2AFC\n(± SD over domains)")
    ax.set_title(f"e  OOD accuracy vs population size (neural to {fit['extrapolate_to']:,} "
                 "sites)", loc="left", fontweight="bold")


def _sweep_panel(ax: plt.Axes, sweep: pd.DataFrame, color: Callable[[str], str]) -> None:
    """Figure 8f (the paper's Fig B.3); see :func:`ood_decoding`."""
    for system, g in sweep.dropna(subset=["gap"]).groupby("system", sort=False):
        c = color(system)
        ax.plot(g["n_sites"], g["gap"], color=c, lw=0.8)
        coarse = g["resolution_limited"].astype(bool)
        ax.scatter(g.loc[~coarse, "n_sites"], g.loc[~coarse, "gap"], color=c, s=5)
        ax.scatter(g.loc[coarse, "n_sites"], g.loc[coarse, "gap"], facecolor="white",
                   edgecolor=c, s=5, lw=0.6, zorder=3)
    ax.axhline(0, color="#999999", lw=0.6)
    sites = np.sort(sweep["n_sites"].unique())
    ax.set_xscale("log")
    ax.set_xticks(sites, [str(n) for n in sites])
    ax.minorticks_off()
    ax.set_xlabel("neural sites behind the scaling")
    ax.set_ylabel("full layer − extrapolated\nneural (2AFC)")
    ax.set_title("f  gap vs scaling sites", loc="left", fontweight="bold")
