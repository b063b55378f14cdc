"""Manuscript checks and build.

Checks (run before every build): every generated macro the text uses (``\\res...``) must be
defined by the generated numbers file, and the document may contain no digit outside
references, labels, citations, file names, layout commands, identifiers that carry a digit
(FFA-1, EfficientNet-Lite0, float16, Figure 3E), exponents and generated macros — so no number
is typed by hand. Outside the Results and Supplementary results the constants 0 and 1 of a
definition ("above 0", "capped at 1") are allowed, and a literal that is neither a result nor
a parameter (a year, a dataset's fixed size, a format's scale) is marked ``\\lit{...}``, so each
one is a visible choice. The build fails on text, tables or figures that do
not fit their pages (overfull boxes over 1 pt, floats taller than the page). The PDF is built
with latexmk/pdfLaTeX with SOURCE_DATE_EPOCH and FORCE_SOURCE_DATE=1 (and an empty trailer ID
in the preamble), so it is byte-stable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.errors import InputError

MACRO = re.compile(r"\\(res[A-Za-z]+)")
ALLOWED_ARGS = re.compile(
    r"\\(?:ref|eqref|autoref|label|cite[tp]?|input|include|includegraphics|url|href|"
    r"begin|end|hypersetup)\s*(?:\[[^\]]*\])?\s*\{[^}]*\}")


#: The paper's findings are named by number ("Finding 3"): names, not results.
FINDING_NAMES = re.compile(r"\bFinding[~ ][1-9]\b")


def defined_macros(numbers_tex: str) -> set[str]:
    return set(re.findall(r"\\newcommand\{\\(res[A-Za-z]+)\}", numbers_tex))


def strip_comments(tex: str) -> str:
    return re.sub(r"(?<!\\)%.*", "", tex)


def results_section(tex: str) -> str:
    """The text of the Results and the Supplementary results sections (the typed-number check
    reads them)."""
    found = re.findall(r"\\section\*?\{(?:Supplementary r|R)esults\}(.*?)"
                       r"(?=\\section|\\appendix|\\end\{document\})", strip_comments(tex), re.S)
    if not found:
        raise InputError("manuscript has no \\section{Results}")
    return "\n".join(found)


#: What the typed-number check skips: a marked literal, layout commands, identifiers that
#: carry a digit and exponents or indices in formulas.
LITERAL = re.compile(r"\\lit\{[^}]*\}")
LAYOUT = re.compile(r"\\(?:setcounter|setlength|addtocounter)\s*\{[^}]*\}\s*\{[^}]*\}")
IDENTIFIER = re.compile(r"\b[A-Za-z]+(?:[-.]?\d+[A-Za-z]*)+\b|\b\d+[A-Za-z]+\b")
EXPONENT = re.compile(r"[\^_]\{?\d\}?")
#: The constants 0 and 1 standing alone (not part of a longer number).
CONSTANT = re.compile(r"(?<![\d.])[01](?!\d|\.\d)")


def body(tex: str) -> str:
    """The document between \\begin{document} and \\end{document}, comments removed."""
    text = strip_comments(tex)
    start = text.find("\\begin{document}")
    if start < 0:
        raise InputError("manuscript has no \\begin{document}")
    end = text.find("\\end{document}", start)
    return text[start:end if end >= 0 else None]


def _numbers_left(text: str) -> list[str]:
    """The lines of ``text`` that still hold a digit once everything allowed is removed."""
    for rx in (LITERAL, LAYOUT, ALLOWED_ARGS, MACRO, FINDING_NAMES, IDENTIFIER, EXPONENT):
        text = rx.sub(" ", text)
    return [line.strip()[:80] for line in text.splitlines() if re.search(r"\d", line)]


def check(tex: str, numbers_tex: str) -> list[str]:
    """Problems found (empty if the manuscript is clean)."""
    problems = []
    undefined = sorted(set(MACRO.findall(strip_comments(tex))) - defined_macros(numbers_tex))
    problems += [f"\\{name} is used but no stage writes it (manuscript/generated/numbers.tex)"
                 for name in undefined]
    results = results_section(tex)
    problems += [f"hand-typed number in Results: '{line}' — use a generated \\res... macro"
                 for line in _numbers_left(results)]
    rest = body(tex)
    for part in re.findall(r"\\section\*?\{(?:Supplementary r|R)esults\}.*?"
                           r"(?=\\section|\\appendix|\\end\{document\}|$)", rest, re.S):
        rest = rest.replace(part, "")
    problems += [f"hand-typed number: '{line}' — use a generated \\res... macro, or mark a "
                 "literal that is neither a result nor a parameter \\lit{...}"
                 for line in _numbers_left(CONSTANT.sub(" ", rest))]
    return problems


#: The largest overfull box accepted (points): TeX reports boxes a hair too wide; a journal
#: rejects text or tables that visibly run into the margin.
OVERFULL_TOLERANCE_PT = 1.0
OVERFULL = re.compile(r"^Overfull \\([hv])box \(([\d.]+)pt too (?:wide|high)\) (.*)$", re.M)
FLOAT_TOO_LARGE = re.compile(r"Float too large for page by ([\d.]+)pt on input line (\d+)")


def layout_problems(log: str) -> list[str]:
    """What a LaTeX log says runs off the page: overfull boxes over OVERFULL_TOLERANCE_PT and
    floats taller than the page (a figure whose caption runs into the page number)."""
    found = [f"overfull {kind}box, {float(pt):.1f} pt too {'wide' if kind == 'h' else 'high'} "
             f"{where.strip()}"
             for kind, pt, where in OVERFULL.findall(log) if float(pt) > OVERFULL_TOLERANCE_PT]
    found += [f"float too large for the page by {float(pt):.1f} pt (main.tex line {line}): "
              "draw the figure shorter or cut its caption"
              for pt, line in FLOAT_TOO_LARGE.findall(log)]
    return found


SYSTEM_PACKAGES = Path("scripts/system-packages.sh")


def missing_system_packages() -> str:
    """'' when the Debian packages the build needs (packages-debian.txt) are present, else
    which are missing and how to install them."""
    if not SYSTEM_PACKAGES.is_file():
        return "" if shutil.which("latexmk") else "latexmk not found"
    run = subprocess.run(["bash", str(SYSTEM_PACKAGES), "check"], capture_output=True,
                         text=True)
    return run.stderr.strip() if run.returncode else ""


def build(main_tex: Path, out_pdf: Path) -> None:
    """latexmk -> out_pdf (via a temporary build folder); fails on a LaTeX error and on
    :func:`layout_problems`."""
    missing = missing_system_packages()
    if missing:
        raise InputError(f"the manuscript build needs system packages; {missing}\n"
                         "(`make system` installs them when run as root)")
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1780012800"),
           "FORCE_SOURCE_DATE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                              f"-output-directory={tmp}", main_tex.name],
                             cwd=main_tex.parent, env=env, capture_output=True, text=True)
        log = Path(tmp) / main_tex.with_suffix(".log").name
        text = log.read_text(errors="replace") if log.is_file() else run.stdout
        if run.returncode != 0:
            raise InputError(f"LaTeX failed on {main_tex}:\n{text[-3000:]}")
        layout = layout_problems(text)
        if layout:
            raise InputError(f"{main_tex} builds but does not fit its pages:\n  "
                             + "\n  ".join(layout))
        out_pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(tmp) / main_tex.with_suffix(".pdf").name, out_pdf)
