"""Verdict sentences chosen from the numbers (the manuscript's findings open with them): what a
result says, generated, so no hand-typed conclusion outlives the numbers it was written for."""

from __future__ import annotations

import math
from typing import Any

from analysis.report.format import tex

MEASURES = ("univariate", "multivariate")


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _interval(c: dict[str, Any]) -> tuple[float, float] | None:
    low, high = c.get("gap_ci_low"), c.get("gap_ci_high")
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return None
    return float(low), float(high)


def ceiling_verdict(comparison: dict[str, Any], main_regions: list[str], level: int) -> str:
    """Whether the trained networks' selective units fall below the human-human ceiling in the
    main regions, per measure: below where the bias-corrected gap's interval lies above zero.

    comparison: results.json's ``comparison`` (keys ``<region>_<measure>_published`` with gap,
    gap_ci_low, gap_ci_high); level: the interval's level in percent. Returns a clause that
    completes "the trained networks' category-selective units ..."."""
    below: dict[str, list[str]] = {m: [] for m in MEASURES}
    above: list[str] = []
    untested: list[str] = []
    gaps: dict[str, list[float]] = {m: [] for m in MEASURES}
    for measure in MEASURES:
        for region in main_regions:
            c = comparison.get(f"{region}_{measure}_published", {})
            ci = _interval(c)
            if ci is None:
                untested.append(f"{region} ({measure})")
            elif ci[0] > 0:
                below[measure].append(region)
                gaps[measure].append(float(c["gap"]))
            else:
                above.append(f"{region} ({measure}: gap {tex(c.get('gap'))}, {level}\\,\\% "
                             f"interval {tex(ci[0])} to {tex(ci[1])})")
    if not any(below.values()) and not above:
        return "could not be compared with the human-human ceiling in any main region"
    ranges = "; ".join(
        f"{measure} gap {tex(min(gaps[measure]))} to {tex(max(gaps[measure]))}"
        if len(gaps[measure]) > 1 else f"{measure} gap {tex(gaps[measure][0])}"
        for measure in MEASURES if gaps[measure])
    if not above and not untested:
        return (f"fell below the human-human ceiling in every main region ({_and(main_regions)})"
                f" with both measures ({ranges}, bias-corrected, every {level}\\,\\% interval "
                "above zero)")
    parts = []
    where = [f"{_and(regions)} ({measure})" for measure, regions in below.items() if regions]
    if where:
        parts.append(f"fell below the human-human ceiling in {_and(where)} ({ranges})")
        if above:
            parts.append(f"not in {_and(above)}")
    else:
        parts.append(f"did not fall below the human-human ceiling in {_and(above)}")
    if untested:
        parts.append(f"could not be compared in {_and(untested)}")
    return "; ".join(parts[:1]) + (", but " + " and ".join(parts[1:]) if parts[1:] else "")


def consistency_sentence(comparison: dict[str, Any], main_regions: list[str]) -> str:
    """How closely the subjects agree with each other in the main regions (noise-corrected
    human-human similarity, range over regions per measure); completes "the subjects'
    category-selective responses ..."."""
    parts = []
    for measure in MEASURES:
        hh = [float(c["hh"]) for r in main_regions
              if (c := comparison.get(f"{r}_{measure}_published", {})).get("hh") is not None
              and math.isfinite(c["hh"])]
        if hh:
            parts.append(f"{tex(min(hh))} to {tex(max(hh))} ({measure})" if len(hh) > 1
                         else f"{tex(hh[0])} ({measure})")
    if not parts:
        return "could not be compared between subjects in any main region"
    return (f"agreed between subjects at a noise-corrected similarity of {_and(parts)} in the "
            f"main regions ({_and(main_regions)})")


def untrained_verdict(generalises: dict[str, Any], categories: list[str]) -> str:
    """Whether the trained networks' selective units go beyond matched untrained networks on
    the independent image set, per category (the equal-k decision of each trained network;
    ``generalises``: results.json units.generalises_last_layer, keys ``<model>/<category>``).
    Completes "the trained networks' selective units ..."."""
    beyond: list[str] = []
    not_beyond: list[str] = []
    untested: list[str] = []
    for cat in categories:
        flags = [v.get("equal_k", {}).get("beyond_untrained") for k, v in generalises.items()
                 if k.endswith(f"/{cat}") and v.get("trained")]
        tested = [f for f in flags if f is not None]
        if not tested:
            untested.append(cat)
            continue
        n = sum(bool(f) for f in tested)
        label = cat if len(tested) == 1 else f"{cat} ({n} of {len(tested)} trained networks)"
        (beyond if n else not_beyond).append(label)
    if not beyond and not not_beyond:
        return ("could not be compared with matched untrained networks (too few untrained "
                "seeds or selective units)")
    if beyond and not not_beyond and not untested:
        return ("went beyond the matched untrained networks on the independent image set for "
                f"every category ({_and(beyond)})")
    parts = [f"went beyond the matched untrained networks on the independent image set for "
             f"{_and(beyond)}" if beyond else
             "did not go beyond the matched untrained networks on the independent image set"]
    if beyond and not_beyond:
        parts.append(f"not for {_and(not_beyond)}")
    elif not_beyond and not beyond:
        parts[0] += f" for any category ({_and(not_beyond)})"
    if untested:
        parts.append(f"could not be tested for {_and(untested)}")
    return parts[0] + (", but " + " and ".join(parts[1:]) if parts[1:] else "")
