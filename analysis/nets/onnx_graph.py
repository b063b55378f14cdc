"""ONNX models as torch modules: repair, dequantize, convert, and check against onnxruntime.

An ONNX file becomes a ``torch.fx.GraphModule`` (onnx2torch) whose submodules are named after
the graph's nodes (``conv_14_relu``), so hooks, lesions and the GPU work as for any other zoo
model. Before conversion:

- graph inputs that are not fed at run time are dropped (inputs that are initializers, outputs
  of nodes, or used by no node: exporters list weights there, and onnxruntime would demand them
  as feeds) and the batch dimension is made symbolic;
- every node computable from initializers alone (DequantizeLinear of int8 weights, the
  reshapes after it, Constant) is evaluated once by onnx's reference evaluator, which follows
  the operator specification, and its output stored as a float32 initializer. A weight-quantized
  model thus runs with exactly its dequantized weights (``(q - zero_point) * scale`` per block);
  activations are float. Graphs that quantize activations (QuantizeLinear on a tensor computed
  from the input) are refused by the conversion with the operator named.

``reference_outputs`` runs the repaired original file in onnxruntime with any intermediate
tensors exposed as graph outputs and graph optimisations off (fusing Conv + BatchNorm would
remove the tensors asked for): the forward pass the conversion is checked against.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
import torch
from google.protobuf.message import DecodeError
from onnx import helper, numpy_helper

from analysis.errors import InputError

#: opset onnx2torch 1.5.15 converts (its converters stop at 17-18 for several operators)
TORCH_OPSET = 17


def repaired(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy whose graph inputs are exactly the tensors fed at run time, batch dim symbolic."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    g = out.graph
    initialised = {i.name for i in g.initializer}
    produced = {o for n in g.node for o in n.output}
    used = {i for n in g.node for i in n.input} | {o.name for o in g.output}
    feeds = [i for i in g.input
             if i.name not in initialised and i.name not in produced and i.name in used]
    del g.input[:]
    g.input.extend(feeds)
    for v in [*g.input, *g.output]:
        dims = v.type.tensor_type.shape.dim
        if len(dims):
            dims[0].ClearField("dim_value")
            dims[0].dim_param = "batch"
    del g.value_info[:]
    return out


def folded(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` (repaired) with every initializer-only node replaced by its float value."""
    from onnx.reference import ReferenceEvaluator  # imported where used (loads every op)

    g = model.graph
    const = {i.name for i in g.initializer}
    fold = []
    for n in g.node:
        if n.op_type == "Constant" or all(i in const for i in n.input if i):
            fold.append(n)
            const.update(n.output)
    if not fold:
        return model
    names = [o for n in fold for o in n.output]
    sub = helper.make_model(
        helper.make_graph(fold, "constants", [],
                          [helper.make_empty_tensor_value_info(o) for o in names],
                          list(g.initializer)),
        opset_imports=model.opset_import)
    values = dict(zip(names, ReferenceEvaluator(sub).run(names, {}), strict=True))
    nodes = [n for n in g.node if n not in fold]
    needed = {i for n in nodes for i in n.input} | {o.name for o in g.output}
    inits = [i for i in g.initializer if i.name in needed]
    inits += [numpy_helper.from_array(np.asarray(v, dtype=np.float32)
                                      if np.issubdtype(np.asarray(v).dtype, np.floating)
                                      else np.asarray(v), k)
              for k, v in values.items() if k in needed]
    out = helper.make_model(helper.make_graph(nodes, g.name, list(g.input), list(g.output),
                                              inits), opset_imports=model.opset_import)
    out.ir_version = model.ir_version
    return out


def load(path: str, name: str) -> onnx.ModelProto:
    """The repaired ONNX model in ``path``; ``name`` (the zoo entry) is used in errors."""
    try:
        return repaired(onnx.load(path))
    except (OSError, DecodeError) as exc:
        raise InputError(f"zoo.{name}: cannot read the ONNX file {path}: {exc}") from exc


def to_torch(model: onnx.ModelProto, name: str) -> torch.fx.GraphModule:
    """The repaired model, dequantized and converted to a torch module in eval mode."""
    from onnx import version_converter
    from onnx2torch import convert  # imported where used: onnx2torch registers 200 converters

    flat = folded(model)
    version = next(o.version for o in flat.opset_import if o.domain in ("", "ai.onnx"))
    if version > TORCH_OPSET:
        flat = version_converter.convert_version(flat, TORCH_OPSET)
    try:
        return convert(flat).eval()
    except NotImplementedError as exc:
        raise InputError(f"zoo.{name}: onnx2torch cannot convert this graph ({exc}); "
                         "weight-only quantization is supported, quantized activations "
                         "are not") from exc


def reference_outputs(model: onnx.ModelProto, x: np.ndarray, tensors: Sequence[str] = ()
                      ) -> dict[str, np.ndarray]:
    """onnxruntime's forward pass of the repaired ``model`` on ``x`` (N, C, H, W) float32:
    the graph outputs and the named intermediate ``tensors``, by name."""
    import onnxruntime as ort  # imported where used

    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    m.graph.output.extend(helper.make_empty_tensor_value_info(t) for t in tensors
                          if t not in have)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.log_severity_level = 3  # unused-initializer warnings of exporters' files
    session = ort.InferenceSession(m.SerializeToString(), opts,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    feed = {session.get_inputs()[0].name: x.astype(np.float32)}
    return dict(zip(names, session.run(names, feed), strict=True))


def node_output(model: onnx.ModelProto, module_name: str) -> str:
    """The ONNX tensor a converted module writes: the first output of the node of that name
    (onnx2torch names modules after nodes, with '.' and '/' replaced)."""
    for n in model.graph.node:
        if n.name == module_name or n.name.replace(".", "_").replace("/", "_") == module_name:
            return n.output[0]
    raise InputError(f"no ONNX node is called '{module_name}'")


def check_conversion(model: onnx.ModelProto, module: torch.nn.Module, name: str,
                     input_shape: tuple[int, int, int], seed: int = 0,
                     rtol: float = 1e-4) -> float:
    """Fail unless the converted ``module`` gives onnxruntime's outputs on a seeded probe batch
    (two images, uniform over the 8-bit range): largest difference relative to the output's
    scale must be <= ``rtol``. Returns that relative difference."""
    x = np.random.default_rng(seed).uniform(0, 255, (2, *input_shape)).astype(np.float32)
    ref = reference_outputs(model, x)
    with torch.inference_mode():
        got = module(torch.from_numpy(x))
    got_list = list(got) if isinstance(got, (tuple, list)) else [got]
    worst = 0.0
    for r, g in zip(ref.values(), got_list, strict=True):
        scale = float(np.abs(r).max()) or 1.0
        worst = max(worst, float(np.abs(r - g.numpy()).max()) / scale)
    if worst > rtol:
        raise InputError(f"zoo.{name}: the torch conversion differs from onnxruntime by "
                         f"{worst:.2e} of the output's scale (tolerance {rtol:g})")
    return worst


def randomise(module: torch.fx.GraphModule) -> None:
    """Replace the trained weights of a converted graph by PyTorch's default initialisation of
    each layer (convolutions and linear layers Kaiming-uniform, BatchNorm the identity with
    fresh running statistics, PReLU slopes 0.25), drawn from torch's global generator (seed it
    first). Fails if a layer with parameters has no known initialisation."""
    from onnx2torch.node_converters.activations import OnnxPReLU

    reset = set()
    for name, m in module.named_modules():
        if isinstance(m, (torch.nn.modules.conv._ConvNd, torch.nn.Linear,
                          torch.nn.modules.batchnorm._BatchNorm)):
            m.reset_parameters()
            reset.add(name)
    for node in module.graph.nodes:
        if node.op == "call_module" and isinstance(module.get_submodule(node.target), OnnxPReLU):
            slope = node.args[1]
            if getattr(slope, "op", None) != "get_attr":
                raise InputError(f"PReLU node {node.target}: its slope is computed, not a "
                                 "stored tensor; cannot reinitialise it")
            with torch.no_grad():
                attr = module.get_submodule(slope.target.rpartition(".")[0] or "")
                getattr(attr, slope.target.rpartition(".")[2]).fill_(0.25)
    left = sorted({n.rpartition(".")[0] for n, _ in module.named_parameters()} - reset)
    if left:
        raise InputError(f"cannot randomise layers {left[:5]} of this ONNX graph: no default "
                         "initialisation is known for their type")
