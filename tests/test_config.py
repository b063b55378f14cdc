"""params.yaml validation: bad values fail with the key, the value and the fix."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis import config
from analysis.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def params():
    return config.load_params(ROOT / "params.yaml")


@pytest.mark.parametrize("bad", [-1, float("nan"), "seven", None, True])
def test_invalid_threshold(params, bad):
    p = copy.deepcopy(params)
    p["threshold"] = bad
    with pytest.raises(ParameterError, match=r"threshold must be a finite number >= 0"):
        config.validate(p)


def test_unknown_roi_name(params):
    p = copy.deepcopy(params)
    p["rois"] = ["FFA", "FFA3"]
    with pytest.raises(ParameterError, match=r"unknown ROI name\(s\) \['FFA3'\]"):
        config.validate(p)


def test_unknown_tier(params):
    p = copy.deepcopy(params)
    p["tier"] = "full"
    with pytest.raises(ParameterError, match="tier must be one of"):
        config.validate(p)


def test_brain_source_follows_the_tier(params):
    assert config.brain_source(params).root == Path("data/demo/nsd")
    p = copy.deepcopy(params)
    p["tier"] = "nsd"
    src = config.brain_source(p)
    assert src.root == Path("data/nsd") and src.sessions_per_subject[4] == 30
    assert src.trials_per_session == 750 and not src.synthetic


def test_cli_reports_bad_parameter_without_traceback(tmp_path, params):
    p = copy.deepcopy(params)
    p["threshold"] = -3
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(p))
    run = subprocess.run([sys.executable, "-m", "analysis", "--params",
                          str(tmp_path / "params.yaml"), "select-voxels"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert "threshold must be a finite number" in run.stderr and "Traceback" not in run.stderr


def test_params_survive_dvcs_rewrite_for_exp_run(tmp_path):
    """`dvc exp run -S key=value` rewrites params.yaml with ruamel; the result must still parse
    to the same parameters (flow mappings with URLs once broke this)."""
    from dvc.utils.serialize import modify_yaml

    copy_ = tmp_path / "params.yaml"
    copy_.write_text((ROOT / "params.yaml").read_text())
    with modify_yaml(copy_) as data:
        data["threshold"] = 5
    expected = yaml.safe_load((ROOT / "params.yaml").read_text())
    expected["threshold"] = 5
    assert yaml.safe_load(copy_.read_text()) == expected
