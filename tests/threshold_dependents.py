"""Print the stages that must rerun when `threshold` changes: its readers and all downstream.

Used by .ci/run to check `dvc exp run -S threshold=5` against the DAG in dvc.yaml.
"""

from pathlib import Path

import yaml


def dependents(stages: dict) -> list[str]:
    outs = {o if isinstance(o, str) else next(iter(o)): n for n, s in stages.items()
            for o in s.get("outs", [])}
    hit = {n for n, s in stages.items() if "threshold" in s.get("params", [])}
    changed = True
    while changed:
        changed = False
        for n, s in stages.items():
            if n not in hit and any(any(d == o or d.startswith(o + "/") for o in outs
                                        if outs[o] in hit) for d in s.get("deps", [])):
                hit.add(n)
                changed = True
    return sorted(hit)


if __name__ == "__main__":
    stages = yaml.safe_load(Path("dvc.yaml").read_text())["stages"]
    print(" ".join(dependents(stages)) + " ")
