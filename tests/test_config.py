"""params.yaml validation: every block is typed and checked before any data is loaded; a bad
value fails with the key, the value and what is allowed."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis import config
from analysis.__main__ import COMMANDS, main
from analysis.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def _raw() -> dict:
    """params.yaml and zoo.yaml, as the configuration sees them."""
    return {**yaml.safe_load((ROOT / "params.yaml").read_text()),
            **yaml.safe_load((ROOT / "zoo.yaml").read_text())}


RAW = _raw()


def _with(key: str, value) -> dict:
    """A copy of the parameters with one (dotted) key set."""
    raw = _raw()
    node, *path = key.split(".")
    target = raw
    for part in [node, *path][:-1]:
        target = target[part]
    target[[node, *path][-1]] = value
    return raw


def test_the_repository_parameters_are_valid():
    p = config.validate(RAW)
    assert p.threshold == 7 and isinstance(p.threshold, int)
    assert list(p.compared_regions()) == ["FFA", "OFA", "EBA", "FBA", "PPA", "OPA"]
    assert [p.main_region(c) for c in p.categories] == ["FFA", "EBA", "PPA"]


@pytest.mark.parametrize("key", sorted(RAW))
def test_every_block_is_typed(key):
    """Replacing any top-level value by one of the wrong type fails and names the key."""
    wrong = {"oops": 1} if not isinstance(RAW[key], dict) else "oops"
    where = "zoo.yaml" if key == "zoo" else "params.yaml"
    with pytest.raises(ParameterError, match=rf"(?m)^  {where}: {key}\b"):
        config.validate(_with(key, wrong))


@pytest.mark.parametrize("key, value, where", [
    ("zoo.effnet_lite0.sha256", "beef", "zoo.yaml"),
    ("zoo.effnet_lite0.preprocessing", "bicubic999", "zoo.yaml"),
    ("comparison.n_boot", "many", "params.yaml"),
    ("models", ["no_such_model"], "params.yaml"),
])
def test_errors_name_the_file_the_value_lives_in(key, value, where):
    with pytest.raises(ParameterError) as err:
        config.validate(_with(key, value))
    lines = str(err.value).splitlines()[1:]
    assert lines and all(line.startswith(f"  {where}: ") for line in lines), lines


def test_a_model_without_preprocessing_says_how_to_add_it():
    with pytest.raises(ParameterError, match=r"zoo.yaml: zoo.effnet_lite0.preprocessing is "
                                             r"not set: add `preprocessing: <name>`"):
        config.validate(_with("zoo.effnet_lite0.preprocessing", None))


@pytest.mark.parametrize("changes, ok", [
    ({"comparison.n_boot": 200}, True),   # 5 replicates beyond each end of a 95 % interval
    ({"comparison.n_boot": 199}, False),
    ({"comparison.ci_level": 0.99}, False),  # robustness/validation n_boot 200 < 1000
    ({"comparison.ci_level": 0.99, "robustness.n_boot": 1000, "validation.n_boot": 1000},
     True),
])
def test_bootstrap_counts_follow_the_interval_level(changes, ok):
    raw = _raw()
    for key, value in changes.items():
        node = raw
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    if ok:
        config.validate(raw)
    else:
        with pytest.raises(ParameterError, match=r"replicates \(5 beyond each end\): raise"):
            config.validate(raw)


@pytest.mark.parametrize("key, value, message", [
    ("threshold", -1, "must be a finite number >= 0"),
    ("threshold", float("nan"), "must be a finite number >= 0"),
    ("threshold", "seven", "must be a finite number >= 0"),
    ("threshold", True, "must be a finite number >= 0"),
    ("tier", "full", "Input should be 'demo', 'public' or 'nsd'"),
    ("subjects", [1, 9], "simulate.sessions_per_subject lists 8 subjects"),
    ("subjects", [0, 1], "greater than or equal to 1"),
    ("subjects", [1, 1], "list each entry once"),
    ("rois", ["FFA", "FFA3"], r"\['FFA3'\] not in roi_definitions"),
    ("categories", ["faces", "cars"], "Input should be 'faces', 'bodies', 'places'"),
    ("rois", ["V1", "V2"], r"rois = \['V1', 'V2'\]: none is a category-selective region"),
    ("categories", ["characters"], "none is a category-selective region of categories"),
    ("shared_images", "all", "Input should be 'shared515' or 'shared_any'"),
    ("beta_format", "mat", "Input should be 'auto', 'hdf5' or 'nifti'"),
    ("models", ["no_such_model"], "'no_such_model' is not a key of zoo"),
    ("models", ["resnet50openaiclip"], "zoo.resnet50openaiclip is unavailable offline"),
    ("stimulus_sets", ["floc"], "'localizer2' is needed"),
    ("comparison.n_boot", "many", "comparison.n_boot = 'many': Input should be a valid integer"),
    ("comparison.n_boot", 99, "comparison.n_boot = 99: .*greater than or equal to 100"),
    ("comparison.n_boot", 150, "comparison.n_boot = 150: a 0.95 interval .* needs >= 200"),
    ("robustness.n_boot", 50, "robustness.n_boot = 50: .*greater than or equal to 100"),
    ("comparison.rdm_similarity", "kendall", "Input should be 'pearson' or 'spearman'"),
    ("comparison.rdm_distance", "euclidean",
     "Input should be 'crossval_euclidean' or 'correlation'"),
    ("comparison.min_reliability", 0.1, "comparison.min_reliability = 0.1: Extra inputs"),
    ("reverse_predictivity.min_reliability", 1.5, "less than 1"),
    ("encoding.random_sets", 19, r"encoding.random_sets = 19: the smallest p .* random_sets >= 39"),
    ("encoding.smallest_effect_share", 0, "greater than 0"),
    ("comparison.equivalence_margin", 0, "comparison.equivalence_margin = 0: .*greater than 0"),
    ("comparison.equivalence_level", 1.5, "comparison.equivalence_level = 1.5"),
    ("comparison.ci_level", 1.5, "less than 1"),
    ("comparison.n_bot", 3, "comparison.n_bot = 3: Extra inputs are not permitted"),
    ("robustness.localizers", ["fmri"], "Input should be 'floc' or 'localizer2'"),
    ("robustness.thresholds", [3, -2], "robustness.thresholds.1 = -2: must be a finite"),
    ("unit_localizer.conjunction_alpha", 2, "less than 1"),
    ("unit_localizer.threshold_untrained", -3, "must be a finite number >= 0"),
    ("extraction.device", "gpu", "String should match pattern"),
    ("extraction.batch_size", 0, "greater than 0"),
    ("zoo.effnet_lite0.lesion.layer", "blocks.9",
     "zoo.effnet_lite0.lesion.layer = 'blocks.9' is not read"),
    ("metrics.lesion_models", ["effnet_lite0_random1"], "zoo.effnet_lite0_random1 has no `lesion`"),
    ("metrics.lesion_models", ["lite9"], "'lite9' is not a key of zoo"),
    ("zoo.sface.input_std", [1.0, 1.0], "List should have at least 3 items"),
    ("zoo.effnet_lite0_random1.weights_file", "w.pth", "weights_file needs its sha256"),
    ("preprocessing.bicubic224.crop_mode", "crop", "Input should be 'center', 'squash'"),
    ("zoo.effnet_lite0.source", "hub", "zoo.effnet_lite0.source = 'hub': Input should be"),
    ("zoo.effnet_lite0.preprocessing", "bicubic999", "is not a key of preprocessing"),
    ("zoo.effnet_lite0.layers", {"faces": "blocks.6"}, "has no layer for categories"),
    ("roi_definitions.FFA.contrast", "cars", "roi_definitions.FFA.contrast = 'cars'"),
    ("simulate.grid", [18, 20], "List should have at least 3 items"),
    ("simulate.noise_sd", [1.0], "simulate.noise_sd lists 1 subjects"),
    ("nsd.trials_per_session", 0, "greater than 0"),
    ("seed", "x", "Input should be a valid integer"),
])
def test_bad_values_name_the_key_and_what_is_allowed(key, value, message):
    with pytest.raises(ParameterError, match=message):
        config.validate(_with(key, value))


def test_subject_ids_are_the_datasets_not_nsds():
    """Any positive subject id the tier's dataset lists: twelve simulated subjects validate,
    while NSD's block (8 subjects) bounds the nsd tier."""
    raw = yaml.safe_load(yaml.safe_dump(RAW))
    raw["subjects"] = [1, 12]
    raw["simulate"]["sessions_per_subject"] = [2] * 12
    raw["simulate"]["noise_sd"] = [1.0] * 12
    src = config.brain_source(config.validate(raw))
    assert sorted(src.sessions_per_subject) == [1, 12] and src.sessions_per_subject[12] == 2
    raw["tier"] = "nsd"
    with pytest.raises(ParameterError, match="nsd.sessions_per_subject lists 8 subjects"):
        config.validate(raw)


def test_brain_source_follows_the_tier():
    p = config.validate(RAW)
    assert config.brain_source(p).root == Path("data/demo/nsd")
    src = config.brain_source(config.validate(_with("tier", "nsd")))
    assert src.root == Path("data/nsd") and src.sessions_per_subject[4] == 30
    assert src.trials_per_session == 750 and not src.synthetic


def test_unit_threshold_for_untrained_networks():
    p = config.validate(_with("unit_localizer.threshold_untrained", 3))
    assert p.unit_threshold(trained=True) == 7 and p.unit_threshold(trained=False) == 3
    assert config.validate(RAW).unit_threshold(trained=False) == 7


def _write(folder: Path, raw: dict) -> None:
    """params.yaml and zoo.yaml of ``raw`` in ``folder``."""
    zoo = raw.pop("zoo")
    (folder / "params.yaml").write_text(yaml.safe_dump(raw))
    (folder / "zoo.yaml").write_text(yaml.safe_dump({"zoo": zoo}))


def test_the_zoo_lives_beside_the_parameters(tmp_path):
    _write(tmp_path, _raw())
    assert config.load_params(tmp_path / "params.yaml").zoo["effnet_lite0"].trained
    (tmp_path / "zoo.yaml").unlink()
    with pytest.raises(ParameterError, match="zoo.yaml not found"):
        config.load_params(tmp_path / "params.yaml")


STAGE_ARGS = {"preprocess": ["bicubic224"], "extract": ["effnet_lite0"]}


@pytest.mark.parametrize("command", [c for c, (m, _) in COMMANDS.items()
                                     if m.startswith(("analysis.stages.",
                                                      "analysis.analyses."))])
def test_every_stage_fails_on_a_bad_parameter_before_loading_data(command, tmp_path,
                                                                  monkeypatch, capsys):
    """In an empty folder (no data at all) every stage stops at the parameter, not at a
    missing input file."""
    _write(tmp_path, _with("comparison.n_boot", "many"))
    monkeypatch.chdir(tmp_path)
    assert main([command, *STAGE_ARGS.get(command, [])]) == 2
    err = capsys.readouterr().err
    assert "comparison.n_boot = 'many'" in err and "not found" not in err


def test_cli_reports_bad_parameter_without_traceback(tmp_path):
    _write(tmp_path, _with("threshold", -3))
    run = subprocess.run([sys.executable, "-m", "analysis", "--params",
                          str(tmp_path / "params.yaml"), "select-voxels"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert "threshold = -3: must be a finite number" in run.stderr
    assert "Traceback" not in run.stderr


def test_params_survive_dvcs_rewrite_for_exp_run(tmp_path):
    """`dvc exp run -S key=value` rewrites params.yaml with ruamel; the result must still parse
    to the same parameters (flow mappings with URLs once broke this)."""
    from dvc.utils.serialize import modify_yaml

    copy_ = tmp_path / "params.yaml"
    copy_.write_text((ROOT / "params.yaml").read_text())
    (tmp_path / "zoo.yaml").write_text((ROOT / "zoo.yaml").read_text())
    with modify_yaml(copy_) as data:
        data["threshold"] = 5
    expected = yaml.safe_load((ROOT / "params.yaml").read_text())
    expected["threshold"] = 5
    assert yaml.safe_load(copy_.read_text()) == expected
    assert config.load_params(copy_).threshold == 5
