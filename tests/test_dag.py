"""`python -m analysis dag`: one line per stage, foreach stages collapsed, run order."""

from analysis.report.dag import lines

EDGES = [("b", "a"), ("extract@m1", "b"), ("extract@m2", "b"), ("c", "extract@m1"),
         ("c", "extract@m2"), ("d", "a")]
NODES = ["a", "b", "extract@m1", "extract@m2", "c", "d"]


def test_one_line_per_stage_in_run_order_with_its_inputs():
    out = lines(EDGES, NODES)
    names = [line.split()[0] for line in out]
    assert names == ["a", "b", "d", "extract@*", "c"]
    assert out[0].endswith("(raw inputs)") and out[-1].endswith("<- extract@*")


def test_upstream_of_one_stage_only():
    assert [line.split()[0] for line in lines(EDGES, NODES, "c")] == ["a", "b", "extract@*", "c"]
