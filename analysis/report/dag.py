"""The pipeline graph as one line per stage: `python -m analysis dag [stage]`.

`dvc dag` draws the graph in ASCII, which is hundreds of columns wide for this pipeline; this
prints each stage (foreach stages collapsed, e.g. extract@*) with the stages it reads from, in
run order, optionally only the stages upstream of one stage. `dvc dag --md` gives a Mermaid
diagram for a Markdown viewer.
"""

from __future__ import annotations

import argparse

import networkx as nx


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", nargs="?", help="show only this stage and what it depends on")


def collapsed(name: str) -> str:
    """extract@effnet_lite0 -> extract@*"""
    return name.split("@")[0] + "@*" if "@" in name else name


def lines(edges: list[tuple[str, str]], nodes: list[str], target: str | None = None
          ) -> list[str]:
    """edges: (stage, stage it depends on). One line per stage in run order."""
    g = nx.DiGraph()
    g.add_nodes_from(collapsed(n) for n in nodes)
    g.add_edges_from((collapsed(b), collapsed(a)) for a, b in edges)  # upstream -> downstream
    if target is not None:
        target = collapsed(target) if target in nodes or "@" in target else target
        if target not in g:
            raise SystemExit(f"no stage '{target}' in dvc.yaml")
        g = g.subgraph(nx.ancestors(g, target) | {target})
    width = max(len(n) for n in g)
    out = []
    for n in nx.lexicographical_topological_sort(g):
        ups = sorted(g.predecessors(n))
        out.append(f"{n:<{width}}  <- {', '.join(ups)}" if ups else f"{n:<{width}}  (raw inputs)")
    return out


def run(args: argparse.Namespace) -> None:
    from dvc.repo import Repo

    with Repo(".") as repo:
        graph = repo.index.graph  # edge a -> b: stage a depends on stage b
        edges = [(a.addressing, b.addressing) for a, b in graph.edges]
        nodes = [s.addressing for s in graph.nodes]
    print("\n".join(lines(edges, nodes, args.stage)))
