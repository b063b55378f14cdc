"""A reviewer's check of a run without recomputing it: `python -m analysis verify` (`make
verify`).

1. **Pull**: when outputs that dvc.lock records are absent from the workspace and a default
   remote is configured, `dvc pull` fetches them (DVC checks every object's hash on the way in);
   ``--remote NAME`` pulls from that remote whatever is present.
2. **Outputs**: every output of every stage against its md5 in dvc.lock, and DVC's own status
   (no dependency changed since: code, parameters, inputs).
3. **Figures and the PDF**: each one's record in dvc.lock, its stage and everything upstream up
   to date (what `python -m analysis audit` says of one file).
4. **Macros**: every number the PDF prints comes from manuscript/generated/numbers.tex (the
   manuscript stage's recorded input); each of its macros must equal the value the macros
   stage computes from results/results.json now.

Prints a one-screen verdict naming what differs; exit status 0 when verified, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis import config, paths
from analysis.report.audit import load_lock, workspace_revision
from analysis.report.macros import manuscript_macros, numbers_tex
from analysis.report.provenance import dvc_md5

MACRO = re.compile(r"\\newcommand\{\\([A-Za-z]+)\}\{(.*)\}$")
#: how many differences of one kind the verdict lists before counting the rest
SHOWN = 8


@dataclass
class Check:
    """One line of the verdict: what was checked, and what differs (empty: it passed)."""

    name: str
    summary: str
    problems: list[str] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--remote", default=None,
                        help="pull from this DVC remote first (default: pull from the default "
                             "remote only when outputs are missing)")


def outputs(lock: dict) -> dict[str, tuple[str, str]]:
    """{output path: (stage, md5 recorded in dvc.lock)} of every stage."""
    return {o["path"]: (stage, o["md5"]) for stage, st in lock.items()
            for o in st.get("outs", [])}


def _dvc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dvc", *args], capture_output=True, text=True)


def pull(recorded: dict[str, tuple[str, str]], remote: str | None) -> Check:
    """Pull from ``remote``, or from the default remote when an output is missing."""
    missing = [p for p in recorded if not Path(p).exists()]
    if remote is None:
        if not missing:
            return Check("pull", "not needed: every output is in the workspace")
        default = _dvc("remote", "default").stdout.strip()
        if not default:
            return Check("pull", f"{len(missing)} outputs missing and no remote configured",
                         [f"missing: {p}" for p in missing])
        remote = default
    done = _dvc("pull", "--remote", remote)
    if done.returncode != 0:
        last = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
        return Check("pull", f"from '{remote}' FAILED", last[-SHOWN:])
    return Check("pull", f"from '{remote}'")


def output_check(recorded: dict[str, tuple[str, str]]) -> Check:
    """Every output's md5 against dvc.lock, then DVC's status of every stage."""
    problems = []
    for path, (stage, md5) in sorted(recorded.items()):
        if not Path(path).exists():
            problems.append(f"{path} ({stage}): missing")
        elif dvc_md5(path) != md5:
            problems.append(f"{path} ({stage}): differs from dvc.lock")
    from dvc.repo import Repo

    with Repo(".") as repo:
        status = repo.status()
    for stage, changes in sorted(status.items()):
        what = [k for c in changes for k in (c if isinstance(c, dict) else {c: 0})]
        problems.append(f"stage {stage}: {', '.join(sorted(set(map(str, what))))}")
    n = len(recorded)
    return Check("outputs", f"{n - len([p for p in problems if not p.startswith('stage')])}"
                 f" of {n} match dvc.lock; DVC status "
                 f"{'clean' if not status else f'lists {len(status)} stages'}", problems)


def figure_check(recorded: dict[str, tuple[str, str]], problems: list[str]) -> Check:
    """The figures and the PDF: up to date when neither they nor their stage is named above
    (every stage upstream of a changed one is named by DVC's status)."""
    targets = sorted(p for p in recorded if p.startswith(f"{paths.FIGURES}/")
                     and p.endswith(".pdf")) + [paths.MANUSCRIPT_PDF.as_posix()]
    stale = [t for t in targets if any(p.startswith(f"{t} (") or
                                       p.startswith(f"stage {recorded[t][0]}:")
                                       for p in problems)]
    return Check("figures", f"{len(targets) - len(stale)} of {len(targets)} UP TO DATE "
                 "(figures and the PDF)", [f"{t}: STALE" for t in stale])


def parse_macros(text: str) -> dict[str, str]:
    """{name: value} of a numbers.tex."""
    return {m.group(1): m.group(2) for line in text.splitlines()
            if (m := MACRO.match(line.strip()))}


def macro_check(params: config.Params) -> Check:
    """numbers.tex (what the PDF prints) against the macros results.json gives now."""
    numbers = paths.GENERATED_TEX / "numbers.tex"
    if not numbers.is_file() or not paths.RESULTS.is_file():
        return Check("macros", "not checked", [f"{numbers} or {paths.RESULTS} missing"])
    results = json.loads(paths.RESULTS.read_text())
    published = yaml.safe_load(paths.PUBLISHED_REFERENCE.read_text())
    expected = parse_macros(numbers_tex(manuscript_macros(params, results, published)))
    printed = parse_macros(numbers.read_text())
    problems = [f"\\{k}: PDF {printed.get(k, '(absent)')!r}, results.json "
                f"{expected.get(k, '(absent)')!r}"
                for k in sorted(set(printed) | set(expected)) if printed.get(k) != expected.get(k)]
    return Check("macros", f"{len(printed)} in the PDF's numbers.tex; "
                 f"{len(printed) - len(problems)} equal results/results.json", problems)


def verdict(checks: list[Check]) -> tuple[str, bool]:
    """The one-screen report and whether everything passed."""
    lines = [f"selcomp verify — workspace {workspace_revision()}"]
    for c in checks:
        lines.append(f"  {c.name:<8} {'ok  ' if not c.problems else 'FAIL'} {c.summary}")
        lines += [f"             {p}" for p in c.problems[:SHOWN]]
        if len(c.problems) > SHOWN:
            lines.append(f"             ... and {len(c.problems) - SHOWN} more")
    ok = not any(c.problems for c in checks)
    lines.append("VERIFIED: every output, figure and number matches its record." if ok else
                 "NOT VERIFIED: see FAIL above (`python -m analysis audit <file>` traces one "
                 "file; `dvc repro` recomputes what differs).")
    return "\n".join(lines), ok


def run(args: argparse.Namespace) -> None:
    params = config.load_params(args.params)
    recorded = outputs(load_lock())
    checks = [pull(recorded, args.remote)]
    checks.append(output_check(recorded))
    checks.append(figure_check(recorded, checks[-1].problems))
    checks.append(macro_check(params))
    text, ok = verdict(checks)
    print(text)
    if not ok:
        sys.exit(1)
