"""The alignment-pattern analysis, registered (analysis.registry)."""

from analysis.analyses.alignment_patterns import report
from analysis.analyses.alignment_patterns.params import NAME, AlignmentPatterns
from analysis.registry import Analysis

ANALYSIS = Analysis(
    name=NAME, command="alignment-patterns",
    help="alignment-pattern analysis: cross-region patterns, models ranked",
    stage="analysis.analyses.alignment_patterns.stage", params=AlignmentPatterns,
    results=report.results, macros=report.macros, tables=report.tables)
