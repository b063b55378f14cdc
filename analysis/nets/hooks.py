"""Forward hooks as context managers: every hook is removed when the block ends, also on error.

``recording`` keeps the latest output of named modules; ``replacing`` lets a function rewrite a
module's output (e.g. zero a kernel for a lesion).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import torch


def module(model: torch.nn.Module, name: str) -> torch.nn.Module:
    """The submodule called ``name``, with an error that says how to find valid names."""
    try:
        return model.get_submodule(name)
    except AttributeError as exc:
        raise ValueError(f"layer '{name}' not found in the model; valid names are listed by "
                         "model.named_modules()") from exc


def _tensor(output: torch.Tensor | tuple) -> torch.Tensor:
    return output[0] if isinstance(output, tuple) else output


@contextlib.contextmanager
def recording(model: torch.nn.Module, layers: list[str]) -> Iterator[dict[str, torch.Tensor]]:
    """Yield a dict that holds, after each forward pass, the output of every named layer."""
    outputs: dict[str, torch.Tensor] = {}
    handles = []
    try:
        for name in layers:
            def hook(_module, _inputs, output, name=name):
                outputs[name] = _tensor(output)
            handles.append(module(model, name).register_forward_hook(hook))
        yield outputs
    finally:
        for h in handles:
            h.remove()


@contextlib.contextmanager
def replacing(target: torch.nn.Module,
              fn: Callable[[torch.Tensor], torch.Tensor | None]) -> Iterator[None]:
    """Within the block, ``target``'s output is replaced by ``fn(output)`` (None keeps it)."""
    handle = target.register_forward_hook(lambda _m, _i, output: fn(output))
    try:
        yield
    finally:
        handle.remove()
