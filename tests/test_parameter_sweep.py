"""Property-based sweep of the parameters (hypothesis): every allowed setting runs, every
other one fails by name.

1. **The schema** (strategies drawn from the parameter schema itself, analysis.config.Params'
   JSON schema, for every leaf of params.yaml and zoo.yaml): a value that breaks its own
   field's rule fails validation with the key and the file it lives in (params.yaml or
   zoo.yaml), also when given on the command line (``python -m analysis variant -S``); a value
   within its field's rule validates, or fails on a rule across blocks, again naming key and
   file, never with a Python error.
2. **The analysis on a tiny world** (built in milliseconds: subjects' voxels and networks'
   units with localizer t values, analysis.validation.worlds): any threshold (0 to 1000), any
   number of subjects and networks (some untrained, some without selective units), either
   RDM distance and similarity, run through selection, the region comparison with its
   bootstrap, the controls, the paper-distance estimates, the results' exclusions and their
   sentence: every run ends, and every value it could not compute carries its reason.

Examples are derandomized (the same in every run). Failing examples found while writing this
sweep are pinned with ``@example``. Marked integration (``make test-integration``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis import config, variant
from analysis.errors import ParameterError
from analysis.report.macros import exclusions_sentence
from analysis.report.results import exclusions
from analysis.responses import Responses
from analysis.selection import above
from analysis.stats.comparison import Method
from analysis.stats.controls import control_comparison, negative
from analysis.stats.region_comparison import compare_region, with_method
from analysis.validation.worlds import Design, null_world

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration
SWEEP = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow])


def _raw() -> dict:
    return {**yaml.safe_load((ROOT / "params.yaml").read_text()),
            **yaml.safe_load((ROOT / "zoo.yaml").read_text())}


RAW = _raw()
SCHEMA = config.params_model().model_json_schema()


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _child(node: dict, key: str) -> dict:
    node = _resolve(node)
    if key in node.get("properties", {}):
        return _resolve(node["properties"][key])
    return _resolve(node.get("additionalProperties", {}))


def _leaves(value: Any, path: tuple[str, ...] = (), node: dict = SCHEMA
            ) -> list[tuple[tuple[str, ...], dict, Any]]:
    """(dotted path, JSON schema, committed value) of every non-mapping value."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items()
                for leaf in _leaves(v, (*path, str(k)), _child(node, str(k)))]
    return [(path, _resolve(node), value)]


LEAVES = _leaves(RAW)


def _options(schema: dict) -> list[dict]:
    """The alternatives of an anyOf (e.g. a value or null), else the schema itself."""
    return [_resolve(s) for s in schema.get("anyOf", [schema])]


def _bounds(s: dict) -> tuple[float | None, float | None]:
    low = s.get("minimum", s.get("exclusiveMinimum"))
    high = s.get("maximum", s.get("exclusiveMaximum"))
    return low, high


def valid_values(schema: dict, committed: Any = None) -> st.SearchStrategy:
    """Values a field's own rule accepts (rules across blocks may still refuse them); a list
    of blocks (e.g. divergence.real_images) keeps its committed value."""
    out = []
    for s in _options(schema):
        kind = s.get("type")
        low, high = _bounds(s)
        if "enum" in s:
            out.append(st.sampled_from(s["enum"]))
        elif kind == "null":
            out.append(st.none())
        elif kind == "boolean":
            out.append(st.booleans())
        elif kind == "integer":
            lo = int(low if low is not None else -5) + ("exclusiveMinimum" in s)
            hi = int(high if high is not None else lo + 50) - ("exclusiveMaximum" in s)
            out.append(st.integers(lo, min(hi, lo + 3000)))
        elif kind == "number":
            lo = float(low if low is not None else -10.0)
            hi = float(high if high is not None else lo + 1000.0)
            out.append(st.floats(lo, hi, exclude_min="exclusiveMinimum" in s,
                                 exclude_max="exclusiveMaximum" in s, allow_nan=False,
                                 allow_infinity=False))
        elif kind == "string" and "pattern" in s:
            out.append(st.from_regex(s["pattern"], fullmatch=True))
        elif kind == "string":
            out.append(st.text("abcdefghijklmnopqrstuvwxyz0123456789_.", min_size=1,
                               max_size=12))
        elif kind == "array":
            item = _resolve(s.get("items", {}))
            n_min, n_max = s.get("minItems", 0), s.get("maxItems", max(s.get("minItems", 0), 4))
            elements = valid_values(item) if item else st.integers(0, 20)
            if elements.is_empty:
                out.append(st.just(committed))
                continue
            unique = "enum" in item or item.get("type") == "integer"
            out.append(st.lists(elements, min_size=n_min, max_size=n_max, unique=unique))
    return st.one_of(out)


def invalid_values(schema: dict) -> st.SearchStrategy | None:
    """Values every alternative of a field's rule refuses; None when the field takes any
    value (a free label)."""
    options = _options(schema)
    kinds = {s.get("type") for s in options}
    out: list[Any] = []
    if "null" not in kinds:
        out.append(None)
    for s in options:
        kind = s.get("type")
        low, high = _bounds(s)
        if "enum" in s:
            out.append("not_" + str(s["enum"][0]))
        elif kind in ("integer", "number"):
            out += ["seven", [1]]
            if kind == "integer":
                out.append(2.5)
            if low is not None:
                out.append(low if "exclusiveMinimum" in s else low - 1)
                out.append(float("nan"))
            if high is not None:
                out.append(high if "exclusiveMaximum" in s else high + 1)
        elif kind == "boolean":
            out += ["yes", 1]
        elif kind == "string":
            out += [5, ["a"]]
            if "pattern" in s:
                out.append("%not-matching%")
        elif kind == "array":
            out.append("not a list")
            if s.get("minItems"):
                out.append([])
            item = _resolve(s.get("items", {}))
            bad = invalid_values(item) if item else None
            if bad is not None:
                return st.one_of(st.sampled_from(out), bad.map(lambda v: [v]))
    out = [v for v in out if not _accepted_by_some(v, options)]
    return st.sampled_from(out) if out else None


def _accepted_by_some(value: Any, options: list[dict]) -> bool:
    """A drawn 'invalid' value that another alternative of an anyOf accepts is not invalid."""
    for s in options:
        kind = s.get("type")
        if kind == "null" and value is None:
            return True
        if kind == "string" and isinstance(value, str) and "pattern" not in s \
                and "enum" not in s:
            return True
    return False


INVALID = [(path, bad) for path, schema, _ in LEAVES
           if (bad := invalid_values(schema)) is not None]


def _set(raw: dict, path: tuple[str, ...], value: Any) -> dict:
    out = yaml.safe_load(yaml.safe_dump(raw))
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _file(path: tuple[str, ...]) -> str:
    return "zoo.yaml" if path[0] == "zoo" else "params.yaml"


@st.composite
def invalid_draw(draw) -> tuple[tuple[str, ...], Any]:
    path, values = draw(st.sampled_from(INVALID))
    return path, draw(values)


@st.composite
def valid_draw(draw) -> tuple[tuple[str, ...], Any]:
    path, schema, committed = draw(st.sampled_from(LEAVES))
    return path, draw(valid_values(schema, committed))


def test_the_sweep_covers_every_block():
    """Every block of both files has leaves in the sweep, and most have invalid values."""
    assert {p[0] for p, _, _ in LEAVES} == set(RAW)
    assert len(LEAVES) > 300 and len(INVALID) > 0.8 * len(LEAVES)


@SWEEP
@given(invalid_draw())
@example((("comparison", "n_boot"), "many"))
@example((("zoo", "effnet_lite0", "sha256"), "beef"))
@example((("threshold",), float("nan")))
def test_a_value_its_rule_refuses_fails_by_key_and_file(draw):
    path, value = draw
    dotted = ".".join(path)
    with pytest.raises(ParameterError) as err:
        config.validate(_set(RAW, path, value))
    assert f"{_file(path)}: {dotted}" in str(err.value), str(err.value)
    if path[0] != "zoo":  # the command line takes params.yaml's keys
        flow = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...")
        with pytest.raises(ParameterError) as err:
            variant.check([f"{dotted}={flow.strip()}"], ROOT / "params.yaml")
        assert f"params.yaml: {dotted}" in str(err.value), str(err.value)


@SWEEP
@given(valid_draw())
@example((("comparison", "n_boot"), 150))   # below 5 replicates beyond each end at 0.95
@example((("rois",), ["V1", "V2"]))         # no category region
@example((("zoo", "effnet_lite0", "preprocessing"), None))
@example((("categories",), ["faces", "bodies", "places", "characters"]))  # once listed twice
def test_a_value_within_its_rule_validates_or_names_the_rule_across_blocks(draw):
    path, value = draw
    try:
        config.validate(_set(RAW, path, value))
    except ParameterError as err:
        lines = str(err).splitlines()
        assert lines[0] == "invalid parameters", str(err)
        assert len(set(lines)) == len(lines), str(err)  # each problem once
        for line in lines[1:]:
            where, _, problem = line.strip().partition(": ")
            assert where in ("params.yaml", "zoo.yaml"), str(err)
            key = problem.split(" ", 1)[0].split(".")[0]  # the problem starts with its key
            assert key in RAW and (where == "zoo.yaml") == (key == "zoo"), str(err)


# --- the analysis on a tiny world -----------------------------------------------------------

def _selected(r: Responses, t: np.ndarray, threshold: float) -> Responses:
    return r.take(np.flatnonzero(above(t, threshold)))


@st.composite
def tiny_world(draw):
    n_subjects = draw(st.integers(1, 6))
    threshold = draw(st.one_of(st.sampled_from([0, 3, 5, 7, 9, 11, 1000]),
                               st.floats(0, 30, allow_nan=False)))
    n_nets = draw(st.integers(1, 3))
    trained = draw(st.lists(st.booleans(), min_size=n_nets, max_size=n_nets))
    unit_t = draw(st.lists(st.floats(-2, 14), min_size=n_nets, max_size=n_nets))
    voxel_t = draw(st.floats(-2, 14))
    method = Method(draw(st.sampled_from(["crossval_euclidean", "correlation"])),
                    draw(st.sampled_from(["pearson", "spearman"])))
    seed = draw(st.integers(0, 2**16))
    return n_subjects, threshold, trained, unit_t, voxel_t, method, seed


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(tiny_world())
@example((8, 11, [True, False], [9.0, 4.0], 8.0, Method(), 1))  # t = 11: few voxels, units
@example((3, 1000, [True], [9.0], 9.0, Method(), 2))              # nothing selected anywhere
@example((1, 3, [True], [9.0], 9.0, Method("correlation"), 3))   # one subject: no HH pair
@example((2, 0, [False], [0.0], 0.0, Method(), 1))  # reliabilities <= 0: once NaN, no note
def test_any_setting_runs_to_the_end_with_its_exclusions(world):
    n_subjects, threshold, trained, unit_t, voxel_t, method, seed = world
    rng = np.random.default_rng(seed)
    brains, network, control = null_world(rng, Design(n_subjects=n_subjects, n_images=24,
                                                      n_voxels=12))
    # localizer t values around a level per system: thresholds select all, some or none
    vt = [voxel_t + 3 * rng.normal(size=12) for _ in brains]
    sel_brains = [_selected(b, t, threshold) for b, t in zip(brains, vt, strict=True)]
    nets = []
    for k, (tr, level) in enumerate(zip(trained, unit_t, strict=True)):
        net = network.relabel(type(network.system)(f"net{k}", "layer", tr))
        nets.append(_selected(net, level + 3 * rng.normal(size=12), threshold))
    by_layer = {n.system.model: {"layer": n} for n in nets}
    result = compare_region(sel_brains, nets, by_layer, 200, 0.95, method,
                            np.random.default_rng(seed + 1), np.random.default_rng(seed + 2))
    stats = result.stats.assign(roi="FFA", category="faces")
    groups = set(stats["networks"])
    assert {n.system.model for n in nets} <= groups
    published = stats[stats["layer_choice"] == "published"]
    missing = published[published["gap"].isna()]
    assert missing["note"].fillna("").ne("").all(), missing  # every missing value says why
    ok = published[published["gap"].notna()]
    assert ok["note"].fillna("").eq("").all()
    profiled = sum(b.n_channels >= 3 for b in sel_brains)
    if profiled >= 3:  # intervals wherever three subjects have a profile and a network one
        assert np.isfinite(ok["gap_ci_low"]).all() and (ok["gap_ci_low"] <
                                                        ok["gap_ci_high"]).all()
    positive = _selected(control, rng.normal(8, 3, 12), threshold)
    controls = control_comparison(sel_brains, positive,
                                  negative(positive, np.random.default_rng(seed + 4)), 200,
                                  0.95, method, np.random.default_rng(seed + 3), 0.05, 0.9)
    assert set(controls["verdict"]) <= {"pass", "fail", "inconclusive", "not run"}
    paper = with_method(sel_brains, nets, Method("correlation", method.similarity))
    assert len(paper) == len(groups) or profiled == 0
    excluded = exclusions(stats)
    sentence = exclusions_sentence(excluded)
    for reason in set(missing["note"]):
        assert reason in excluded and reason.split(">=")[0] in sentence
    if missing.empty:
        assert sentence.startswith("Every compared region")
    assert all(math.isfinite(v) or np.isnan(v) for v in published["gap"])
    assert isinstance(result.chosen_layers, pd.DataFrame)
