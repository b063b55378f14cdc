"""Stimulus-level divergences and the diagnostic tests, registered (analysis.registry)."""

from analysis.analyses.divergence import report
from analysis.analyses.divergence.params import NAME, Divergence
from analysis.registry import Analysis

ANALYSIS = Analysis(
    name=NAME, command="divergence",
    help="stimulus-level divergences and the diagnostic tests (Finding 5)",
    stage="analysis.analyses.divergence.stage", params=Divergence,
    results=report.results, macros=report.macros, tables=report.tables)
