"""The command line: one-line help for every command; light commands never import torch."""

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
#: the commands that run networks (and so need torch)
# encode, reverse-predictivity and alignment-patterns: the ridge solver runs in torch (on a GPU
# when there is one); ood-domains runs the networks on the domain images
TORCH = {"preprocess", "extract", "lesion", "encode", "reverse-predictivity",
         "alignment-patterns", "ood-domains"}


def _python(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd)


def test_help_lists_every_command_with_one_line():
    run = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0
    for name, (_, help_text) in COMMANDS.items():
        assert name in run.stdout and help_text[:30] in run.stdout.replace("\n", " ")
        assert "\n" not in help_text and len(help_text) < 80


@pytest.mark.parametrize("command", ["results", "extract", "audit"])
def test_command_help_says_what_it_does(command):
    run = subprocess.run([sys.executable, "-m", "analysis", command, "--help"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0 and COMMANDS[command][1][:30] in run.stdout.replace("\n", " ")


def test_results_loads_no_torch(tmp_path):
    """`python -m analysis results` (here failing on absent inputs) never imports torch."""
    for name in ("params.yaml", "zoo.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    run = _python("import sys; sys.path.insert(0, %r)\n"
                  "from analysis.__main__ import main\n"
                  "code = main(['results'])\n"
                  "print(code, 'torch' in sys.modules, 'timm' in sys.modules)" % str(ROOT),
                  cwd=tmp_path)
    assert run.stdout.split() == ["2", "False", "False"], run.stdout + run.stderr
    assert " not found: run `dvc repro`" in run.stderr  # the first missing input, named
    assert "Traceback" not in run.stderr


def test_only_network_commands_import_torch():
    light = [m for name, (m, _) in COMMANDS.items() if name not in TORCH]
    run = _python("import importlib, sys\n"
                  f"for m in {light!r}: importlib.import_module(m)\n"
                  "print(sorted(k for k in ('torch', 'timm', 'torchvision') if k in sys.modules))")
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr


@pytest.mark.parametrize("error, code, message", [
    (KeyboardInterrupt(), 130, "interrupted: 'results' stopped; its outputs are as they were"),
    (PermissionError(13, "Permission denied", "results/results.json"), 2,
     "error: 'results' may not write results/results.json: make it writable"),
    (OSError(28, "No space left on device", "results/x.csv"), 2,
     "error: no space left on the device writing results/x.csv"),
])
def test_outside_failures_end_in_one_line(error, code, message, monkeypatch, capsys):
    """Ctrl-C, a read-only or a full output folder: one line naming the stage and the way
    forward, no traceback."""
    import analysis.stages.results as stage

    def fail(args):
        raise error

    monkeypatch.setattr(stage, "run", fail)
    from analysis.__main__ import main
    assert main(["results"]) == code
    err = capsys.readouterr().err
    assert err.startswith(message) and len(err.strip().splitlines()) == 1

