"""A user's own weights (zoo entry `weights_file` + `sha256`) for timm and torchvision
architectures, and the hub download path with the download replaced by a local copy: the zoo
builds exactly the saved model; a missing or different file stops before any stage runs."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from analysis import config
from analysis.__main__ import main
from analysis.errors import InputError, ParameterError
from analysis.hashing import file_digest
from analysis.nets import zoo
from analysis.nets.extraction import extract

ROOT = Path(__file__).resolve().parents[1]
CPU = torch.device("cpu")


def _trained(source: str) -> torch.nn.Module:
    """A small network of the library with weights unlike its random initialisation."""
    import timm
    import torchvision

    torch.manual_seed(123)
    model = (timm.create_model("test_resnet", pretrained=False) if source == "timm"
             else torchvision.models.get_model("squeezenet1_1", weights=None))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))
    return model.eval()


def _entry(source: str, path: Path, **extra) -> config.ZooEntry:
    return config.ZooEntry(display="mine", source=source, trained=True,
                           id="test_resnet" if source == "timm" else "squeezenet1_1",
                           weights_file=str(path), sha256=file_digest(path),
                           layers={"faces": "layer1" if source == "timm" else "features.3"},
                           **extra)


@pytest.mark.parametrize("source", ["timm", "torchvision"])
@pytest.mark.parametrize("fmt", ["safetensors", "pth"])
def test_the_zoo_builds_exactly_the_saved_weights(source, fmt, tmp_path):
    from safetensors.torch import save_file

    model = _trained(source)
    path = tmp_path / f"weights.{fmt}"
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path)) if fmt == "safetensors" else torch.save(state, path)
    entry = _entry(source, path)
    built = zoo.build("mine", entry)
    for k, v in model.state_dict().items():
        assert torch.equal(built.state_dict()[k], v), k
    layer = entry.layers["faces"]
    images = np.random.default_rng(0).integers(0, 256, (4, 3, 64, 64), dtype=np.uint8)
    for name, net in (("saved", model), ("built", built)):
        extract(net, images, [layer], (0.5,) * 3, (0.25,) * 3, tmp_path / f"{name}.h5", 2, CPU)
    import h5py
    with h5py.File(tmp_path / "saved.h5") as a, h5py.File(tmp_path / "built.h5") as b:
        np.testing.assert_array_equal(a[layer]["units"][()], b[layer]["units"][()])
        assert np.abs(a[layer]["units"][()]).max() > 0


def test_a_wrapped_checkpoint_is_unwrapped_by_state_key_and_prefix(tmp_path):
    model = _trained("timm")
    path = tmp_path / "ckpt.pth"
    torch.save({"epoch": 3, "model": {f"module.{k}": v for k, v in model.state_dict().items()}},
               path)
    built = zoo.build("mine", _entry("timm", path, state_key="model", key_prefix="module."))
    assert all(torch.equal(built.state_dict()[k], v) for k, v in model.state_dict().items())


def _params_with(tmp_path: Path, weights: str, sha256: str) -> Path:
    """params.yaml and zoo.yaml in tmp_path running a user's timm entry."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    z = yaml.safe_load((ROOT / "zoo.yaml").read_text())
    z["zoo"]["mine"] = {"display": "Mine", "source": "timm", "id": "test_resnet",
                        "trained": True, "weights_file": weights, "sha256": sha256,
                        "preprocessing": "bicubic224",
                        "layers": {c: "layer1" for c in ("faces", "bodies", "places")}}
    raw["models"] = ["mine", "effnet_lite0_random1"]
    raw["metrics"]["lesion_models"] = []
    raw["divergence"]["discovery_models"] = ["mine"]
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    (tmp_path / "zoo.yaml").write_text(yaml.safe_dump(z))
    return tmp_path / "params.yaml"


def test_a_missing_or_different_file_stops_every_stage_before_it_runs(tmp_path, monkeypatch,
                                                                      capsys):
    torch.save(_trained("timm").state_dict(), tmp_path / "w.pth")
    good = file_digest(tmp_path / "w.pth")
    assert config.load_params(_params_with(tmp_path, str(tmp_path / "w.pth"), good))
    wrong = "0" * 64
    with pytest.raises(ParameterError) as err:
        config.load_params(_params_with(tmp_path, str(tmp_path / "w.pth"), wrong))
    assert (f"zoo.mine: weights file {tmp_path / 'w.pth'} has sha256 {good}, expected {wrong}"
            in str(err.value))
    with pytest.raises(ParameterError) as err:
        config.load_params(_params_with(tmp_path, "absent/w.pth", good))
    assert f"zoo.mine: weights file absent/w.pth not found (expected sha256 {good})" in str(
        err.value)
    monkeypatch.chdir(tmp_path)  # the extraction stage itself stops at the parameters
    assert main(["extract", "mine"]) == 2
    assert "zoo.mine: weights file absent/w.pth not found" in capsys.readouterr().err


def test_the_hub_download_path_loads_the_downloaded_file(tmp_path, monkeypatch):
    """source: checkpoint, with torch.hub's download replaced by a copy of a local file:
    the file lands where torch.hub keeps it, is checked against its sha256, loads strictly;
    a second build reads it from there without downloading."""
    model = _trained("torchvision")
    local = tmp_path / "served" / "squeezenet-mine.pth"
    local.parent.mkdir()
    torch.save(model.state_dict(), local)
    calls = []

    def download(url, dst, progress=True):
        calls.append(url)
        shutil.copyfile(local, dst)

    monkeypatch.setattr(zoo.torch.hub, "download_url_to_file", download)
    monkeypatch.setattr(zoo.torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    url = "https://example.org/weights/squeezenet-mine.pth"
    entry = config.ZooEntry(display="Hub", source="checkpoint", arch="squeezenet1_1", url=url,
                            sha256=file_digest(local), trained=True,
                            layers={"faces": "features.3"})
    built = zoo.build("hub", entry)
    assert calls == [url] and (tmp_path / "hub/checkpoints/squeezenet-mine.pth").is_file()
    assert all(torch.equal(built.state_dict()[k], v) for k, v in model.state_dict().items())
    zoo.build("hub", entry)
    assert calls == [url]
    bad = entry.model_copy(update={"sha256": "f" * 64})
    with pytest.raises(InputError, match=f"zoo.hub: .*squeezenet-mine.pth \\(downloaded from "
                                         f"{url}\\) has sha256 .*, expected f{{64}}"):
        zoo.build("hub", bad)
