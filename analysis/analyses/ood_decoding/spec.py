"""Out-of-domain decoding, registered (analysis.registry)."""

from analysis.analyses.ood_decoding import report
from analysis.analyses.ood_decoding.params import KEY, NAME, OodDecoding
from analysis.registry import Analysis

ANALYSIS = Analysis(
    name=NAME, command="ood-decoding",
    help="out-of-domain linear decoding with unit-count matching",
    stage="analysis.analyses.ood_decoding.stage", params=OodDecoding, key=KEY,
    results=report.results, macros=report.macros, tables=report.tables,
    more_stages=(("ood-domains", "analysis.analyses.ood_decoding.domains_stage",
                  "image domains by transforms; network and neural responses to them"),))
