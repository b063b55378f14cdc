"""Reverse predictivity, registered (analysis.registry)."""

from analysis.analyses.reverse_predictivity import report
from analysis.analyses.reverse_predictivity.params import NAME, ReversePredictivity
from analysis.registry import Analysis

ANALYSIS = Analysis(
    name=NAME, command="reverse-predictivity",
    help="units from voxels, voxels from units, subject to subject",
    stage="analysis.analyses.reverse_predictivity.stage", params=ReversePredictivity,
    results=report.results, macros=report.macros)
