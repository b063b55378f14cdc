"""The Debian packages the build needs: one list (packages-debian.txt) used by the Makefile, CI and
the Dockerfile; every LaTeX package the manuscript uses is provided by a listed package."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "packages-debian.txt"
SCRIPT = ROOT / "scripts/system-packages.sh"


def declared(path: Path = LIST) -> dict[str, list[str]]:
    """Debian package -> its probes (cmd:, tex:, file:)."""
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            pkg, *probes = line.split()
            out[pkg] = probes
    return out


def latex_files(tex: str) -> list[tuple[str, str]]:
    """(LaTeX name, file) of every \\documentclass, \\usepackage and \\RequirePackage."""
    tex = re.sub(r"(?<!\\)%.*", "", tex)
    out = []
    for cmd, names in re.findall(
            r"\\(documentclass|usepackage|RequirePackage)\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}", tex):
        ext = ".cls" if cmd == "documentclass" else ".sty"
        out += [(n.strip(), n.strip() + ext) for n in names.split(",") if n.strip()]
    return out


def owner(filename: str) -> str | None:
    """The Debian package that ships a LaTeX file on this machine (None if unknown)."""
    if not (shutil.which("kpsewhich") and shutil.which("dpkg")):
        return None
    path = subprocess.run(["kpsewhich", filename], capture_output=True, text=True).stdout.strip()
    if not path:
        return None
    run = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
    return run.stdout.split(":")[0] if run.returncode == 0 else None


def unprovided(tex_files: dict[str, str], packages: dict[str, list[str]]) -> list[str]:
    """Problems: LaTeX files the manuscript uses that no listed package provides."""
    provided = {p.removeprefix("tex:") for probes in packages.values() for p in probes
                if p.startswith("tex:")}
    problems = []
    for source, (name, filename) in tex_files.items():
        if filename not in provided:
            who = owner(filename)
            hint = (f"it ships in the Debian package {who}" if who else
                    f"find the Debian package that ships {filename} (apt-file search "
                    f"{filename}; siunitx, for one, is in texlive-science)")
            problems.append(f"{source} uses LaTeX package '{name}' ({filename}), which no "
                            f"package in packages-debian.txt provides: {hint}; add it there "
                            f"with tex:{filename}")
    return problems


def _manuscript_files() -> dict[str, tuple[str, str]]:
    out = {}
    for path in sorted((ROOT / "manuscript").rglob("*.tex")):
        for name, filename in latex_files(path.read_text()):
            out[f"{path.relative_to(ROOT)} ({name})"] = (name, filename)
    return out


def test_every_latex_package_of_the_manuscript_comes_from_a_listed_debian_package():
    problems = unprovided(_manuscript_files(), declared())
    assert not problems, "\n".join(problems)


def test_a_new_latex_package_without_its_debian_package_fails_with_its_name():
    files = {**_manuscript_files(), "main.tex (siunitx)": ("siunitx", "siunitx.sty")}
    problems = unprovided(files, declared())
    assert len(problems) == 1 and "siunitx" in problems[0] and "siunitx.sty" in problems[0]


@pytest.mark.skipif(not (shutil.which("kpsewhich") and shutil.which("dpkg")),
                    reason="LaTeX or dpkg not installed here")
def test_each_probe_is_shipped_by_the_package_it_is_listed_under():
    for pkg, probes in declared().items():
        for probe in probes:
            if probe.startswith("tex:"):
                assert owner(probe[4:]) == pkg, f"{probe} is not from {pkg}"


def test_makefile_ci_and_dockerfile_use_the_one_list():
    for name in ("Makefile", ".ci/run", "Dockerfile"):
        text = (ROOT / name).read_text()
        assert "system-packages.sh install" in text, name
        assert not re.search(r"apt-get install[^\n]*texlive", text), name
    assert "COPY packages-debian.txt" in (ROOT / "Dockerfile").read_text()


def _run(mode: str, lst: Path, user: bool = False) -> subprocess.CompletedProcess:
    cmd = ["bash", str(SCRIPT), mode]
    if user:  # as an unprivileged user (nobody), like a developer without root
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "SELCOMP_PACKAGES": str(lst)})


def test_check_names_the_package_of_a_missing_file(tmp_path):
    lst = tmp_path / "packages.txt"
    lst.write_text("# comment\ngit cmd:git\nlmodern tex:no-such-file-xyz.sty\n")
    run = _run("check", lst)
    assert run.returncode == 1
    assert "lmodern (provides: no-such-file-xyz.sty)" in run.stderr
    assert "git" not in run.stderr.replace("apt-get", "")
    lst.write_text("git cmd:git\n")
    assert _run("check", lst).returncode == 0


@pytest.mark.skipif(not (shutil.which("setpriv") and os.geteuid() == 0),
                    reason="needs root and setpriv to act as an unprivileged user")
def test_install_without_root_names_the_package_instead_of_installing():
    folder = Path(tempfile.mkdtemp(dir="/tmp"))  # readable by the unprivileged user
    try:
        folder.chmod(0o755)
        lst = folder / "packages.txt"
        lst.write_text("lmodern tex:no-such-file-xyz.sty\n")
        lst.chmod(0o644)
        run = _run("install", lst, user=True)
        assert run.returncode == 1, run.stderr
        assert "sudo apt-get install lmodern" in run.stderr
    finally:
        shutil.rmtree(folder)


def test_an_unreadable_list_is_an_error(tmp_path):
    assert _run("check", tmp_path / "absent.txt").returncode == 2
