"""Number formatting for result files and LaTeX, in one place.

Result files (JSON) keep floats rounded to 6 decimals and p-values as strings in scientific
notation ("2.345e-07"), because DVC's metric tables would round small floats to 0. LaTeX text
shows numbers with a fixed number of decimals and small p-values as a x 10^k.
"""

from __future__ import annotations

import math
import re
from typing import Any


def _finite(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and not math.isfinite(x))


def p_value(p: float | None) -> str | None:
    """A p-value for a result file: '1.234e-05', or None when missing."""
    if p is None or not math.isfinite(float(p)):
        return None
    return f"{float(p):.3e}"


def number(x: float | None, decimals: int = 6) -> float | None:
    """A float for a result file, rounded; None when missing."""
    if x is None or not math.isfinite(float(x)):
        return None
    return round(float(x), decimals)


def tex(x: Any, digits: int = 2) -> str:
    """A value for running text: floats with ``digits`` decimals, p-value strings (from
    :func:`p_value`) as 0.012 or $1.2\\times10^{-5}$, booleans yes/no; missing 'n/a'."""
    if not _finite(x):
        return "n/a"
    if isinstance(x, str):
        mant, _, exp = f"{float(x):.1e}".partition("e")
        return f"${mant}\\times10^{{{int(exp)}}}$" if float(x) < 1e-3 else f"{float(x):.3f}"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    return f"{x:.{digits}f}"


def tex_p_relation(p: str | None, floor: float | None) -> str:
    """A bootstrap p-value (string from :func:`p_value`) with its relation for running text:
    '$=$ 0.020', or '$\\leq$ 0.010' when it is at the bootstrap's floor 2/(B+1) (no replicate
    crossed zero: the true p is at most that); 'n/a' when missing."""
    if not _finite(p):
        return "n/a"
    if floor is not None and float(p) <= floor * (1 + 1e-9):
        return f"$\\leq$ {tex(p_value(floor))}"
    return f"$=$ {tex(p)}"


def tex_text(s: Any) -> str:
    """Escape LaTeX's special characters in a label."""
    return re.sub(r"([_%&#$])", r"\\\1", str(s))


def macro_name(label: str) -> str:
    """A label as letters only (LaTeX macro names cannot contain digits or symbols)."""
    return re.sub(r"[^A-Za-z]", "", label)
