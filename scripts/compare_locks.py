"""Compare the output hashes of two dvc.lock files (used by .ci/run after `dvc repro -f`).

Exit 1 and list the outputs whose hashes differ; 0 if every output is byte-identical.
"""

import sys
from pathlib import Path

import yaml


def out_hashes(path: str) -> dict[str, str]:
    stages = yaml.safe_load(Path(path).read_text())["stages"]
    return {o["path"]: o.get("md5") for st in stages.values() for o in st.get("outs", [])}


def differences(first: str, second: str) -> list[str]:
    a, b = out_hashes(first), out_hashes(second)
    return sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))


if __name__ == "__main__":
    diff = differences(sys.argv[1], sys.argv[2])
    if diff:
        print("FAIL: outputs differ between two runs: " + ", ".join(diff), file=sys.stderr)
        sys.exit(1)
    print(f"all {len(out_hashes(sys.argv[2]))} outputs identical across the two runs")
