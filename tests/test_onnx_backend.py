"""ONNX zoo entries (source: onnx): weights dequantized exactly, every read tensor equal to
onnxruntime's forward pass, extraction writes those responses, untrained seeds reproducible,
lesions cut the graph exactly like a hooked full forward pass."""

from pathlib import Path

import h5py
import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from analysis import config
from analysis.errors import InputError
from analysis.hashing import file_digest
from analysis.nets import onnx_graph, zoo
from analysis.nets.extraction import extract
from analysis.nets.hooks import recording, replacing
from analysis.nets.lesion import _tail_features, graph_tail, readout, silence_kernel, silencing_fill

ROOT = Path(__file__).resolve().parents[1]
ZOO = config.load_params(ROOT / "params.yaml").zoo
CPU = torch.device("cpu")
#: relative to a tensor's largest magnitude: float32 conversion vs onnxruntime (same maths,
#: different kernels and summation order)
RTOL = 1e-4


def _blocks(q: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-block scales and zero points along axis 1 (ceil(columns / block) blocks)."""
    rng = np.random.default_rng(1)
    n = -(-q.shape[1] // block)
    return (rng.uniform(0.01, 0.05, (q.shape[0], n)).astype(np.float32),
            rng.integers(-3, 4, (q.shape[0], n)).astype(np.int8))


def small_quantized_net(path: Path) -> dict[str, np.ndarray]:
    """A 16 x 16 conv net in ONNX opset 21 with an int8 block-quantized first convolution
    (DequantizeLinear, block 9 along the flattened 3 x 3 x 3 kernel, then Reshape), BatchNorm,
    PRelu, a float conv, Relu, global pooling and Gemm; the batch fixed to 1 and the
    dequantized weight listed as a graph input, as exporters write them. Returns the
    quantized tensors."""
    rng = np.random.default_rng(0)
    q = rng.integers(-127, 128, (8, 27)).astype(np.int8)
    scale, zero = _blocks(q, 9)
    inits = [numpy_helper.from_array(q, "w1_q"), numpy_helper.from_array(scale, "w1_s"),
             numpy_helper.from_array(zero, "w1_z"),
             numpy_helper.from_array(np.array([8, 3, 3, 3], np.int64), "w1_shape"),
             numpy_helper.from_array(rng.normal(0, 0.1, 8).astype(np.float32), "b1"),
             numpy_helper.from_array(rng.uniform(0.5, 2, 8).astype(np.float32), "g1"),
             numpy_helper.from_array(rng.normal(0, 0.2, 8).astype(np.float32), "be1"),
             numpy_helper.from_array(rng.normal(0, 0.2, 8).astype(np.float32), "m1"),
             numpy_helper.from_array(rng.uniform(0.5, 2, 8).astype(np.float32), "v1"),
             numpy_helper.from_array(rng.uniform(0, 0.3, (8, 1, 1)).astype(np.float32), "slope"),
             numpy_helper.from_array(rng.normal(0, 0.2, (4, 8, 3, 3)).astype(np.float32), "w2"),
             numpy_helper.from_array(rng.normal(0, 0.5, (5, 4)).astype(np.float32), "wf"),
             numpy_helper.from_array(rng.normal(0, 0.1, 5).astype(np.float32), "bf")]
    nodes = [
        helper.make_node("DequantizeLinear", ["w1_q", "w1_s", "w1_z"], ["w1_flat"],
                         name="dq1", axis=1, block_size=9),
        helper.make_node("Reshape", ["w1_flat", "w1_shape"], ["w1"], name="reshape1"),
        helper.make_node("Conv", ["data", "w1", "b1"], ["c1"], name="conv1", pads=[1] * 4),
        helper.make_node("BatchNormalization", ["c1", "g1", "be1", "m1", "v1"], ["n1"],
                         name="bn1"),
        helper.make_node("PRelu", ["n1", "slope"], ["a1"], name="act1"),
        helper.make_node("Conv", ["a1", "w2"], ["c2"], name="conv2", strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["p2"], name="pool"),
        helper.make_node("Flatten", ["p2"], ["f2"], name="flat"),
        helper.make_node("Gemm", ["f2", "wf", "bf"], ["out"], name="fc", transB=1)]
    graph = helper.make_graph(
        nodes, "small", [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, 16, 16]),
                         helper.make_tensor_value_info("w1", TensorProto.FLOAT, [8, 3, 3, 3])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    onnx.save(model, path)
    return {"q": q, "scale": scale, "zero": zero}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("onnx") / "small.onnx"
    tensors = small_quantized_net(path)
    entry = config.ZooEntry(display="small", source="onnx", file=str(path),
                            sha256=file_digest(path), input_mean=[0.5] * 3, input_std=[0.25] * 3,
                            trained=True, layers={"faces": "act1"}, read=["act1", "relu2", "fc"])
    return path, tensors, entry


def test_weights_are_dequantized_by_the_closed_form(small):
    path, t, entry = small
    model = zoo.build("small", entry, 16)
    want = (t["q"].astype(np.float32) - np.repeat(t["zero"], 9, axis=1)) \
        * np.repeat(t["scale"], 9, axis=1)
    np.testing.assert_array_equal(model.get_submodule("conv1").weight.detach().numpy(),
                                  want.reshape(8, 3, 3, 3))


def test_every_read_tensor_equals_onnxruntime_and_extraction_writes_it(small, tmp_path):
    path, _, entry = small
    model = zoo.build("small", entry, 16)
    graph = onnx_graph.load(str(path), "small")
    images = np.random.default_rng(3).integers(0, 256, (5, 3, 16, 16), dtype=np.uint8)
    x = (images / 255.0 - 0.5) / 0.25
    layers = ["act1", "relu2", "fc"]
    ref = onnx_graph.reference_outputs(graph, x.astype(np.float32),
                                       [onnx_graph.node_output(graph, n) for n in layers])
    with recording(model, layers) as out, torch.inference_mode():
        model(torch.from_numpy(x.astype(np.float32)))
    for name in layers:
        r = ref[onnx_graph.node_output(graph, name)]
        assert np.abs(out[name].numpy() - r).max() <= RTOL * np.abs(r).max(), name
    extract(model, images, layers, entry.input_mean, entry.input_std, tmp_path / "a.h5",
            batch_size=2, device=CPU)
    with h5py.File(tmp_path / "a.h5") as f:
        for name in layers:
            want = np.maximum(ref[onnx_graph.node_output(graph, name)], 0).reshape(5, -1)
            # stored as float16 (rounding: 2^-11 of the value) from float32 within RTOL
            np.testing.assert_allclose(f[name]["units"][()], want, rtol=2e-3,
                                       atol=RTOL * np.abs(want).max())


def test_a_conversion_that_differs_from_onnxruntime_is_refused(small):
    path, _, entry = small
    graph = onnx_graph.load(str(path), "small")
    model = onnx_graph.to_torch(graph, "small")
    assert onnx_graph.check_conversion(graph, model, "small", (3, 16, 16)) < RTOL
    with torch.no_grad():
        model.get_submodule("conv2").weight[0] += 0.1
    with pytest.raises(InputError, match="zoo.small: the torch conversion differs"):
        onnx_graph.check_conversion(graph, model, "small", (3, 16, 16))


def test_quantized_activations_are_refused_with_the_operator_named(tmp_path):
    nodes = [helper.make_node("QuantizeLinear", ["data", "s", "z"], ["q"], name="quant"),
             helper.make_node("DequantizeLinear", ["q", "s", "z"], ["out"], name="dequant")]
    graph = helper.make_graph(
        nodes, "qdq", [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 3, 4, 4])],
        [numpy_helper.from_array(np.float32(0.1), "s"), numpy_helper.from_array(np.int8(0), "z")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]),
              tmp_path / "qdq.onnx")
    with pytest.raises(InputError, match="QuantizeLinear"):
        onnx_graph.to_torch(onnx_graph.load(str(tmp_path / "qdq.onnx"), "qdq"), "qdq")


def test_an_unreadable_file_is_named(tmp_path):
    (tmp_path / "bad.onnx").write_bytes(b"not a protobuf")
    with pytest.raises(InputError, match="zoo.bad: cannot read the ONNX file .*bad.onnx"):
        onnx_graph.load(str(tmp_path / "bad.onnx"), "bad")


@pytest.fixture(scope="module")
def sface():
    return zoo.build("sface", ZOO["sface"], 112)


def test_sface_layers_equal_onnxruntime_on_real_images(sface):
    """The face network: each read layer (dequantized int8 weights) against onnxruntime's
    run of the packaged file, on images preprocessed as the pipeline does."""
    from analysis.nets.preprocess import preprocess_arrays

    rng = np.random.default_rng(5)
    raw = [rng.integers(0, 256, (150, 130, 3), dtype=np.uint8) for _ in range(3)]
    images = preprocess_arrays(raw, config.load_params(ROOT / "params.yaml")
                               .preprocessing["face112"])
    x = images.astype(np.float32)  # input_std 1/255: the graph sees raw 0-255 pixels
    graph = onnx_graph.load(str(ZOO["sface"].weights_path()), "sface")
    layers = [*ZOO["sface"].layers_to_read(), "fc1"]  # and the lesion's read-out
    ref = onnx_graph.reference_outputs(graph, x, [onnx_graph.node_output(graph, n)
                                                  for n in layers])
    with recording(sface, layers) as out, torch.inference_mode():
        sface(torch.from_numpy(x))
    for name in layers:
        r = ref[onnx_graph.node_output(graph, name)]
        assert np.abs(out[name].numpy() - r).max() <= RTOL * np.abs(r).max(), name
    assert out["fc1"].shape == (3, 128) and out["conv_14_relu"].shape == (3, 1024, 7, 7)


def test_sface_untrained_seeds_are_reproducible_and_reset_every_layer(sface):
    a = zoo.build("sface_random1", ZOO["sface_random1"], 112)
    b = zoo.build("sface_random1", ZOO["sface_random1"], 112)
    other = ZOO["sface_random1"].model_copy(update={"seed": 2})
    c = zoo.build("sface_random2", other, 112)
    sa, sb, sc, st = (m.state_dict() for m in (a, b, c, sface))
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    conv = [k for k in sa if k.endswith("conv2d.weight")]
    assert len(conv) == 27 and not any(torch.equal(sa[k], sc[k]) for k in conv)
    assert not any(torch.equal(sa[k], st[k]) for k in conv)
    slopes = [n.args[1].target for n in a.graph.nodes
              if n.op == "call_module" and n.target.endswith("relu")]
    assert len(slopes) == 27
    assert all(torch.all(a.get_submodule("initializers").get_buffer(t.split(".")[1]) == 0.25)
               for t in slopes)


def test_sface_lesion_tail_equals_the_hooked_full_forward_pass(sface):
    entry = ZOO["sface"]
    assert entry.lesion is not None
    layer, out_layer = entry.lesion.layer, entry.lesion.readout
    tail = graph_tail(sface, layer, out_layer)
    assert tail is not None and graph_tail(sface, out_layer, layer) is None
    img = np.random.default_rng(0).integers(0, 255, (3, 3, 112, 112)).astype(np.uint8)
    mean, std = entry.input_mean, entry.input_std
    with recording(sface, [layer]) as out:
        readout(sface, img, out_layer, mean, std, 3, CPU)
        cached = out[layer].clone()
    method, fill = silencing_fill(cached)
    assert method == "mean_ablation"  # PReLU outputs are signed
    with replacing(sface.get_submodule(layer), lambda x: silence_kernel(x, 7, fill)):
        full = readout(sface, img, out_layer, mean, std, 3, CPU)
    fast = _tail_features(tail, cached, 7, 3, CPU, fill)
    np.testing.assert_allclose(fast, full, rtol=1e-5, atol=1e-5 * np.abs(full).max())
    intact = readout(sface, img, out_layer, mean, std, 3, CPU)
    assert np.abs(intact - full).max() > 0  # the lesion changes the readout
