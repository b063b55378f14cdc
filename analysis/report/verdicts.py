"""Verdict sentences chosen from the numbers (the manuscript's findings open with them): what a
result says, generated, so no hand-typed conclusion outlives the numbers it was written for."""

from __future__ import annotations

import math
from typing import Any

from analysis.report.format import tex

MEASURES = ("univariate", "multivariate")


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _interval(c: dict[str, Any]) -> tuple[float, float] | None:
    low, high = c.get("gap_ci_low"), c.get("gap_ci_high")
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return None
    return float(low), float(high)


def _range(values: list[float]) -> str:
    """'0.18 to 0.35', or one value when they print alike."""
    low, high = tex(min(values)), tex(max(values))
    return low if low == high else f"{low} to {high}"


def ceiling_sentence(comparison: dict[str, Any], main_regions: list[str], level: str,
                     networks: str, n_trained: int) -> str:
    """Whether the trained networks' selective units fall below the human-human ceiling in the
    main regions, per measure, as a sentence: below where the bias-corrected gap's interval lies
    above zero, above the ceiling where it lies below zero, neither where it includes zero.

    comparison: results.json's ``comparison`` (keys ``<region>_<measure>_published``: the
    trained networks, pooled when there are several, with gap, gap_ci_low, gap_ci_high);
    level: the interval's level in percent, as printed; networks: the sentence's subject ("the
    trained network", "the trained networks"); n_trained: how many trained networks ran."""
    if n_trained == 0:
        return "No trained network was run, so none was compared with the human-human ceiling."
    below: dict[str, list[str]] = {m: [] for m in MEASURES}
    gaps: dict[str, list[float]] = {m: [] for m in MEASURES}
    above: list[str] = []
    neither: list[str] = []
    untested: list[str] = []
    for measure in MEASURES:
        for region in main_regions:
            c = comparison.get(f"{region}_{measure}_published", {})
            ci = _interval(c)
            if ci is None:
                untested.append(f"{region} ({measure})")
                continue
            stated = (f"{region} ({measure}: gap {tex(c.get('gap'))}, {level}\\,\\% interval "
                      f"{tex(ci[0])} to {tex(ci[1])})")
            if ci[0] > 0:
                below[measure].append(region)
                gaps[measure].append(float(c["gap"]))
            elif ci[1] < 0:
                above.append(stated)
            else:
                neither.append(stated)
    subject = f"The category-selective units of {networks}"
    if not any(below.values()) and not above and not neither:
        return f"{subject} could not be compared with the human-human ceiling in any main region."
    ranges = "; ".join(f"{m} gap {_range(gaps[m])}" for m in MEASURES if gaps[m])
    if not above and not neither and not untested:
        return (f"{subject} fell below the human-human ceiling in every main region "
                f"({and_list(main_regions)}) with both measures ({ranges}, bias-corrected, every "
                f"{level}\\,\\% interval above zero).")
    clauses = []
    where = [f"{and_list(regions)} ({measure})" for measure, regions in below.items() if regions]
    if where:
        clauses.append(f"fell below the human-human ceiling in {'; '.join(where)} ({ranges}, "
                       "bias-corrected)")
    if neither:
        what = "it" if where else "the human-human ceiling"
        clauses.append(f"were not shown to be below {what} in {and_list(neither)}")
    if above:
        clauses.append(f"exceeded {'it' if where or neither else 'the human-human ceiling'} "
                       f"in {and_list(above)}")
    if untested:
        clauses.append(f"could not be compared in {and_list(untested)}")
    return f"{subject} {'; '.join(clauses)}."


def consistency_sentence(comparison: dict[str, Any], main_regions: list[str]) -> str:
    """How closely the subjects agree with each other in the main regions (noise-corrected
    human-human similarity, range over the regions that gave one, per measure), as a
    sentence."""
    parts: list[str] = []
    regions: list[str] = []
    values: list[float] = []
    for measure in MEASURES:
        hh = []
        for r in main_regions:
            value = comparison.get(f"{r}_{measure}_published", {}).get("hh")
            if value is not None and math.isfinite(value):
                hh.append(float(value))
                regions.append(r)
        if hh:
            parts.append(f"{_range(hh)} ({measure})")
            values += hh
    if not parts:
        return ("The subjects could not be compared with each other in any main region, so this "
                "build has no human-human ceiling.")
    note = (" (a noise-corrected similarity can exceed 1 when a reliability from few "
            "repetitions is underestimated)" if max(values) > 1 else "")
    return (f"Category-selective responses agreed between subjects at a noise-corrected "
            f"similarity of {and_list(parts)} in the main regions "
            f"({and_list(list(dict.fromkeys(regions)))}){note}: this is the human-human ceiling a "
            "network is held to.")


def untrained_sentence(generalises: dict[str, Any], categories: list[str], networks: str,
                       n_trained: int) -> str:
    """Whether the trained networks' selective units go beyond matched untrained networks on
    the independent image set, per category, as a sentence: a category counts when every
    trained network's equal-k decision says so, partly when some do (``generalises``:
    results.json units.generalises_last_layer, keys ``<model>/<category>``)."""
    if n_trained == 0:
        return "No trained network was run, so none was compared with untrained networks."
    beyond: list[str] = []
    partly: list[str] = []
    not_shown: list[str] = []
    untested: list[str] = []
    for cat in categories:
        flags = [v.get("equal_k", {}).get("beyond_untrained") for k, v in generalises.items()
                 if k.endswith(f"/{cat}") and v.get("trained")]
        tested = [f for f in flags if f is not None]
        n = sum(bool(f) for f in tested)
        if not tested:
            untested.append(cat)
        elif n == len(tested):
            beyond.append(cat)
        elif n:
            partly.append(f"{cat} in {n} of {len(tested)} trained networks")
        else:
            not_shown.append(cat)
    subject = f"The selective units of {networks}"
    where = "the matched untrained networks on the independent image set"
    if not beyond and not partly and not not_shown:
        return (f"{subject} could not be compared with {where} (too few untrained seeds or "
                "selective units).")
    if beyond and not partly and not not_shown and not untested:
        return f"{subject} went beyond {where} for every category ({and_list(beyond)})."
    clauses = []
    if beyond or partly:
        clauses.append(f"went beyond {where} for {and_list(beyond + partly)}")
        if not_shown:
            clauses.append(f"were not shown to do so for {and_list(not_shown)}")
    else:
        clauses.append(f"were not shown to go beyond {where} for any category tested "
                       f"({and_list(not_shown)})")
    if untested:
        clauses.append(f"could not be tested for {and_list(untested)}")
    return f"{subject} {clauses[0]}" + "".join(f", but {c}" for c in clauses[1:]) + "."


#: How the planted-truth table names its judged quantities (results/planted_truth).
PLANTED_NAMES = {"human_human": "human-human similarity",
                 "diagnostic_contrast": "diagnostic contrast"}


def planted_sentence(planted: dict[str, Any], level: str) -> str:
    """Whether the pipeline's intervals held the values the synthetic tier planted, as a
    sentence (results.json's ``planted_truth``: available, reason, n_judged, n_inside and the
    rows; level: the interval's level in percent, as printed)."""
    if not planted.get("available"):
        return ("Nothing is planted in this tier's brain data (they are real), so no recovered "
                "value can be set beside a planted one.")
    n, k = int(planted.get("n_judged") or 0), int(planted.get("n_inside") or 0)
    if n == 0:
        return "No planted value could be compared with an interval in this build."
    judged = and_list([PLANTED_NAMES[q] for q in dict.fromkeys(
        r["quantity"] for r in planted["rows"] if r.get("inside") is not None)])
    if k == n:
        return (f"The pipeline's {level}\\,\\% interval held the planted value in all {n} "
                f"comparisons ({judged}).")
    missed = and_list([f"{PLANTED_NAMES[r['quantity']]} in {r['region']}"
                   + (f" ({r['detail']})" if r.get("detail") else "")
                   for r in planted["rows"] if r.get("inside") is False])
    return (f"The pipeline's {level}\\,\\% interval held the planted value in {k} of {n} "
            f"comparisons ({judged}); it missed the {missed}.")
