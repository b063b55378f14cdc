"""Print the headline numbers of a run from results/results.json, one line per analysis.

Printed by the tests that run a variant in a temporary clone (tests/test_remote.py's
threshold=3 after a pull, tests/test_nsd_import.py's nsd run; `-rP` puts it in CI's log, the
only record of what the variant measured): the main comparison's FFA
univariate gap and what was excluded, then per network and region the companion analyses —
reverse predictivity (forward / reverse EV and the positive control's |forward − reverse|),
the encoding tests of the layer's selective units, alignment-pattern regions above chance and
out-of-domain decoding at the matched unit count.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _fmt(x: object) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def lines(r: dict) -> list[str]:
    """The summary lines of a results.json dict (missing analyses are skipped)."""
    c = r.get("comparison", {}).get("FFA_univariate_published", {})
    out = [f"FFA univariate HH {c.get('hh')} HN {c.get('hn')} gap {c.get('gap')}",
           f"excluded: {r.get('comparison_excluded') or 'nothing'}"]
    for model, regions in r.get("reverse_predictivity", {}).get("by_model", {}).items():
        for region, e in regions.items():
            eq = e.get("equivalence")
            tail = (f" |fwd-rev| {_fmt(eq['mean_abs'])} ({eq['verdict']})" if eq else "")
            out.append(f"reverse {model} {region}: forward {_fmt(e.get('forward_ev'))} "
                       f"reverse {_fmt(e.get('reverse_ev'))}{tail}")
    for model, regions in r.get("encoding", {}).get("by_model", {}).items():
        for region, measures in regions.items():
            for measure, kinds in measures.items():
                layer = kinds.get("layer") if isinstance(kinds, dict) else None
                if layer:
                    out.append(f"encoding {model} {region} {measure}: better than random "
                               f"{layer.get('better_than_random')} necessary "
                               f"{layer.get('necessary')} not needed {layer.get('not_needed')}")
    for measure, m in r.get("alignment_patterns", {}).get("measures", {}).items():
        for system, s in m.get("systems", {}).items():
            out.append(f"alignment {measure} {system}: regions above chance "
                       f"{s.get('regions_above_chance')}")
    for model, m in r.get("ood_decoding", {}).get("models", {}).items():
        out.append(f"ood {model}: matched units {_fmt(m.get('matched_units'))} ood "
                   f"{_fmt(m.get('matched_ood_mean'))} difference {_fmt(m.get('difference'))} "
                   f"p {m.get('p')}")
    return out


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "results/results.json")
    print("\n".join(lines(json.loads(path.read_text()))))
