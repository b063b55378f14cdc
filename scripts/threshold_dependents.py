"""Print the stages that must rerun when `threshold` changes: its readers and all downstream.

Used by .ci/run to check `python -m analysis variant -S threshold=3` (and 11) against DVC's own view
of the DAG.
"""

import networkx as nx
from dvc.dependency.param import ParamsDependency
from dvc.repo import Repo


def dependents(param: str = "threshold") -> list[str]:
    with Repo(".") as repo:
        graph = repo.index.graph  # edge a -> b: stage a depends on stage b
        readers = [s for s in graph.nodes
                   if any(isinstance(d, ParamsDependency) and param in d.params for d in s.deps)]
        hit = set(readers)
        for r in readers:
            hit |= nx.ancestors(graph, r)
        return sorted(s.addressing for s in hit)


if __name__ == "__main__":
    print(" ".join(dependents()) + " ")
