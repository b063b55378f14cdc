"""Extraction throughput against the bare forward pass on the same images.

Bare forward: ``model(x)`` under inference mode, no hooks. Extraction: the pipeline's
``analysis.nets.extraction.extract`` (hooks on every read layer, float16 conversion, kernel
summaries, HDF5 writes). Images: the preprocessed fLoc set if the pipeline has produced one,
else random uint8 images. Writes results/extraction.json (images/s and the ratio).
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from analysis import config, paths
from analysis.nets import zoo
from analysis.nets.extraction import batches, extract, normalise, resolve_device
from analysis.nets.preprocess import check_model_config

RESULTS = Path(__file__).parent / "results" / "extraction.json"
MODEL = os.environ.get("BENCH_MODEL", "effnet_lite0")
N_IMAGES = int(os.environ.get("BENCH_IMAGES", "256"))


def images(params: config.Params, entry: config.ZooEntry) -> tuple[np.ndarray, str]:
    assert entry.preprocessing is not None, f"zoo.{MODEL}: no preprocessing"
    path = paths.preprocessed(entry.preprocessing, "floc", "npy")
    if path.is_file():
        arr = np.load(path)
        return arr[np.linspace(0, len(arr) - 1, min(N_IMAGES, len(arr))).astype(int)], str(path)
    size = params.preprocessing[entry.preprocessing].input_size
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (N_IMAGES, 3, size, size), dtype=np.uint8), "random"


@torch.inference_mode()
def bare_forward(model, imgs, mean, std, batch, device) -> float:
    t0 = time.perf_counter()
    for b in batches(imgs, batch):
        model(normalise(b, mean, std, device))
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def main() -> None:
    params = config.load_params()
    entry = params.zoo[MODEL]
    assert entry.preprocessing is not None, f"zoo.{MODEL}: no preprocessing"
    pre = params.preprocessing[entry.preprocessing]
    model = zoo.build(MODEL, entry, pre.input_size)
    cfg = check_model_config(model, pre, MODEL, entry)
    device = resolve_device(params.extraction.device)
    model = model.to(device)
    batch = params.extraction.batch_size
    imgs, source = images(params, entry)
    layers = entry.layers_to_read()
    bare_forward(model, imgs[:batch], cfg["mean"], cfg["std"], batch, device)  # warm-up
    t_bare = min(bare_forward(model, imgs, cfg["mean"], cfg["std"], batch, device)
                 for _ in range(2))
    t_ext = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            extract(model, imgs, layers, cfg["mean"], cfg["std"], Path(tmp) / "a.h5", batch,
                    device)
            t_ext.append(time.perf_counter() - t0)
    n = len(imgs)
    result = {"model": MODEL, "layers": layers, "images": n, "image_source": source,
              "batch_size": batch, "device": str(device),
              "device_name": torch.cuda.get_device_name() if device.type == "cuda" else
              platform.processor() or platform.machine(),
              "torch_threads": torch.get_num_threads(),
              "bare_forward_images_per_s": n / t_bare,
              "extraction_images_per_s": n / min(t_ext),
              "ratio_extraction_over_bare": (n / min(t_ext)) / (n / t_bare)}
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    out = RESULTS if device.type == "cpu" else RESULTS.with_name("extraction_gpu.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
