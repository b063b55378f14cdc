"""Pipeline costs a user feels: a no-op `dvc repro`, a full run, and a threshold variant.

Targets (issue "Pipeline integrity"): a no-op repro under 5 s on 2 cores; `dvc exp run -S
threshold=5` at most 30 % of a full run. The no-op is timed in this workspace (reproduce it
first); the full run and the variant run in a fresh clone of HEAD in a temporary folder (with
../shared beside it for the offline mirror), so nothing here is disturbed.

    python -m benchmarks pipeline                 # both; BENCH_PIPELINE=noop for the no-op only

Writes benchmarks/results/pipeline.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "pipeline.json"
ENV = {**os.environ, "DVC_NO_ANALYTICS": "1", "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}",
       "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@selcomp.invalid",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@selcomp.invalid"}


def _timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{run.stdout[-2000:]}{run.stderr}")
    return time.perf_counter() - t0, run.stdout


def noop(repeats: int = 5) -> dict:
    status, _ = _timed(["dvc", "status", "-q"], ROOT)
    times = [_timed(["dvc", "repro"], ROOT)[0] for _ in range(repeats)]
    return {"noop_repro_s": statistics.median(times), "runs_s": times, "target_s": 5.0}


def variant() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "selcomp"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        shared = ROOT.parent / "shared"
        if shared.is_dir():
            (Path(tmp) / "shared").symlink_to(shared)
        # -f: in a clone the committed results/ make the stages that read only them look up
        # to date; a full run is every stage
        full, out = _timed(["dvc", "repro", "-f"], clone)
        stages = out.count("Running stage")
        var, out = _timed(["dvc", "exp", "run", "-S", "threshold=5"], clone)
    return {"full_repro_s": full, "full_stages": stages, "threshold_variant_s": var,
            "variant_stages": out.count("Running stage"), "variant_fraction": var / full,
            "target_fraction": 0.30}


def main() -> None:
    result = {"benchmark": "pipeline", "machine": platform.platform(), "cpus": os.cpu_count()}
    result.update(noop())
    if os.environ.get("BENCH_PIPELINE") != "noop":
        result.update(variant())
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
