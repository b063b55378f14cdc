"""prepare-brain memory stays bounded by one session: peak RSS vs. number of sessions.

Simulates demo datasets with 2x and 4x the sessions (same session size) in a temporary folder,
runs prepare() on each in a fresh process, and records wall time and peak resident memory.
Peak memory should not grow with the number of sessions. Writes results/prepare_brain.json.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

RESULTS = Path(__file__).parent / "results" / "prepare_brain.json"

SIMULATE = r"""
import json, sys
from pathlib import Path
from analysis.demo.write import simulate
simulate(Path(sys.argv[2]), json.loads(sys.argv[1]), seed=1)
"""

# A separate process, so that its peak memory is prepare-brain's alone.
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import yaml
from analysis.config import BrainSource
from analysis.io.nsd import layout
from analysis.io.nsd.design import load_design
from analysis.io.prepare_brain import prepare
cfg, out = json.loads(sys.argv[1]), Path(sys.argv[2])
params = yaml.safe_load(open("params.yaml"))
src = BrainSource(out / "nsd", dict(enumerate(cfg["sessions_per_subject"], 1)),
                  cfg["trials_per_session"], synthetic=True)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
prepare(src, load_design(layout.expdesign(src.root)), params["roi_definitions"],
        params["rois"], "shared515", "auto", out / "prepared")
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_before_mb": base / 1024}))
"""


def main() -> None:
    base = yaml.safe_load(open("params.yaml"))["simulate"]
    rows = []
    for factor in (1, 2, 4):
        cfg = dict(base)
        cfg["sessions_per_subject"] = [n * factor for n in base["sessions_per_subject"]]
        n10k = max(cfg["sessions_per_subject"]) * cfg["trials_per_session"] // 3
        cfg["n_shared"] = n10k - cfg["n_own"]
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-c", SIMULATE, json.dumps(cfg), tmp], check=True,
                           capture_output=True)
            run = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cfg), tmp],
                                 capture_output=True, text=True, check=True)
        res = json.loads(run.stdout.strip().splitlines()[-1])
        rows.append({"sessions_max": max(cfg["sessions_per_subject"]),
                     "trials_per_session": cfg["trials_per_session"], **res})
        print(rows[-1])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"benchmark": "prepare_brain", "machine": platform.platform(),
                                   "cpus": os.cpu_count(),
                                   "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
