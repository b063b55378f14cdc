"""The voxel-wise encoding models, registered (analysis.registry)."""

from analysis.analyses.encoding import report
from analysis.analyses.encoding.params import NAME, Encoding
from analysis.registry import Analysis

ANALYSIS = Analysis(
    name=NAME, command="encode",
    help="voxel-wise encoding models: necessity and sufficiency of selective units",
    stage="analysis.analyses.encoding.stage", params=Encoding,
    results=report.results, macros=report.macros, tables=report.tables)
