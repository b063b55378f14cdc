"""What the paper's own scale costs: measured rates here, and the projected full run.

Measured on this machine (CPU, and the GPU when there is one):
- extraction images/s against the bare forward pass for one network per family (EfficientNet
  from its package, SFace from ONNX, AlexNet, ResNet-50 and ViT-B/32 as torchvision builds them:
  random weights cost the same as trained ones and need no download), and the units of each
  read layer;
- the encoding models' kernels (analysis.methods.kernels.linear_kernels) for one subject's
  10 000 images from a float16 HDF5 store: every unit plus, per category, the selective set and
  `encoding.random_sets` random sets of its size (the stage's subsets), seconds and peak memory;
- one ridge fit and prediction (analysis.methods.ridge) at NSD's size: 9 000 training images,
  1 000 test images, a region's voxels as targets, the 13 relative alphas.

Projected from those: the full paper run (55 networks; 8 subjects x 10 000 images; every voxel of
FFA, EBA and PPA; the stage's conditions), wall time and disk, and what dominates. The
assumptions are written beside the numbers. Writes results/paper_scale.json
(BENCH_SCALE_QUICK=1: smaller problems, for a quick check of the code;
BENCH_SCALE_PROJECT_ONLY=1: recompute the projection from the measurements in that file).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import torch

from analysis import config
from analysis.analyses.encoding.params import block as encoding_block
from analysis.methods import kernels, ridge
from analysis.nets import zoo
from analysis.nets.extraction import batches, extract, normalise, resolve_device
from analysis.nets.hooks import recording

RESULTS = Path(__file__).parent / "results" / "paper_scale.json"
QUICK = os.environ.get("BENCH_SCALE_QUICK") == "1"
FAMILIES = {"EfficientNet (pypi)": "effnet_lite0", "SFace (ONNX)": "sface",
            "AlexNet": "alexnetrandom1", "ResNet-50": "resnet50random1",
            "ViT-B/32": "vitb32random1"}
N_IMAGES = 16 if QUICK else 48
#: NSD: images per subject (about 9 000 own + 1 000 shared), subjects, and the localizer sets
#: every network also sees (fLoc 1 440, Ratan Murty 185, ORL 400, Kriegeskorte 92)
NSD_IMAGES, SUBJECTS, LOCALIZER_IMAGES = 10_000, 8, 1_440 + 185 + 400 + 92
#: The paper's networks, and the category-selective voxels of FFA + EBA + PPA per subject at
#: t > 7 in NSD's fLOC maps (assumed, from the order of magnitude of NSD's maps: FFA about 800,
#: EBA about 3 000, PPA about 1 200); the largest region sets a fit's targets
TRAINED, UNTRAINED, VOXELS, LARGEST_REGION = 35, 20, 5_000, 3_000
#: assumed share of a category layer's units selected (t > 7): it sets the subsets' sizes
SELECTIVE_SHARE = 0.02
#: the issue's target for the full paper run
TARGET_HOURS = 2.0
#: subsets measured beside "all" (each holds an n x n float64 accumulator)
MEASURED_SUBSETS = 4


def _vm(field: str) -> int:
    """A /proc/self/status memory field in kB (Linux)."""
    line = next(x for x in Path("/proc/self/status").read_text().splitlines()
                if x.startswith(field))
    return int(line.split()[1])


def family_rates(params: config.Params, device: torch.device) -> dict[str, dict]:
    """Images/s of the bare forward pass and of the pipeline's extraction, per family."""
    out = {}
    for family, key in FAMILIES.items():
        entry = params.zoo[key]
        size = params.preprocessing[entry.preprocessing].input_size if entry.preprocessing \
            else 224
        model = zoo.build(key, entry, size).to(device)
        imgs = np.random.default_rng(0).integers(0, 256, (N_IMAGES, 3, size, size),
                                                 dtype=np.uint8)
        layers, mean, std = entry.layers_to_read(), (0.5,) * 3, (0.25,) * 3
        with torch.inference_mode(), recording(model, layers) as rec:
            model(normalise(imgs[:2], mean, std, device))
            n_units = {name: int(np.prod(rec[name].shape[1:])) for name in layers}
        with torch.inference_mode():
            t0 = time.perf_counter()
            for b in batches(imgs, 16):
                model(normalise(b, mean, std, device))
            bare = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            extract(model, imgs, layers, mean, std, Path(tmp) / "a.h5", 16, device)
            ext = time.perf_counter() - t0
        category_units = int(np.mean([n_units[entry.layers[c]] for c in params.categories]))
        out[family] = {"model": key, "input_size": size, "read_layers": n_units,
                       "category_layer_units_mean": category_units,
                       "bare_forward_images_per_s": N_IMAGES / bare,
                       "extraction_images_per_s": N_IMAGES / ext,
                       "ratio_extraction_over_bare": bare / ext}
        print(family, json.dumps(out[family]))
    return out


def _kernel_run(path: str, n_subsets: int, share: float, queue) -> None:
    """In a fresh process: seconds and peak RSS growth (MB) of the stage's kernels."""
    with h5py.File(path, "r") as f:
        units = f["units"]
        p = units.shape[1]
        rng = np.random.default_rng(0)
        subsets: dict[str, np.ndarray | None] = {"all": None}
        for i in range(n_subsets):
            mask = np.zeros(p, bool)
            mask[rng.choice(p, max(1, int(share * p)), replace=False)] = True
            subsets[f"s{i}"] = mask
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
        before = _vm("VmRSS")
        t0 = time.perf_counter()
        kernels.linear_kernels([units], {"subject": [np.arange(units.shape[0])]}, subsets)
        queue.put((time.perf_counter() - t0, (_vm("VmHWM") - before) / 1024))


def kernel_cost(n: int, p: int, n_subsets: int) -> dict[str, float]:
    """Seconds and peak memory of one subject's kernels: n images x p float16 units, every unit
    and n_subsets subsets of SELECTIVE_SHARE of them."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "units.h5")
        rng = np.random.default_rng(1)
        with h5py.File(path, "w") as f:
            d = f.create_dataset("units", (n, p), np.float16, chunks=(min(n, 256), min(p, 4096)))
            for i in range(0, n, 1000):
                d[i:i + 1000] = rng.random((min(1000, n - i), p), dtype=np.float32)
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(target=_kernel_run, args=(path, n_subsets, SELECTIVE_SHARE, queue))
        proc.start()
        secs, peak = queue.get()
        proc.join()
    eff = p * (1 + n_subsets * SELECTIVE_SHARE)
    return {"images": n, "units": p, "subsets": n_subsets, "seconds": secs, "peak_mb": peak,
            "seconds_per_image_pair_per_unit": secs / (n * n * eff)}


def ridge_cost(n_train: int, n_test: int, targets: int, params: config.Params,
               device: torch.device) -> dict[str, float]:
    """Seconds of one kernel ridge fit (LOO alpha per target) and prediction."""
    rng = np.random.default_rng(2)
    x = torch.as_tensor(rng.normal(size=(n_train + n_test, 2_000)), device=device)
    k = (x @ x[:n_train].T).double()
    y = rng.normal(size=(n_train, targets))
    scale = ridge.kernel_scale(k[:n_train].cpu().numpy())
    alphas = np.asarray(encoding_block(params).relative_alphas) * scale
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    model = ridge.fit(k[:n_train], y, alphas, device)
    ridge.predict(model, k[n_train:])
    if device.type == "cuda":
        torch.cuda.synchronize()
    return {"train_images": n_train, "test_images": n_test, "targets": targets,
            "seconds": time.perf_counter() - t0}


def projection(rates: dict[str, dict], kern: dict, fit: dict, random_sets: int,
               n_categories: int) -> dict:
    """The full paper run from the measured costs (one device, stages one after another)."""
    # every network: the shared images and the localizer sets at every read layer; trained
    # networks also every subject's own images, at their category layers (the encoding models'
    # training images), as the extraction stage does
    own = SUBJECTS * (NSD_IMAGES - 1_000)
    common = 1_000 + LOCALIZER_IMAGES
    fams = list(rates.values())
    median_rate = float(np.median([f["extraction_images_per_s"] for f in fams]))
    units = float(np.median([f["category_layer_units_mean"] for f in fams]))
    read_units = float(np.median([sum(f["read_layers"].values()) for f in fams]))
    n_net = TRAINED + UNTRAINED
    extraction_h = (n_net * common + TRAINED * own) / median_rate / 3600
    subsets = n_categories * (1 + random_sets)
    kernel_h = (TRAINED * SUBJECTS * kern["seconds_per_image_pair_per_unit"] * NSD_IMAGES ** 2
                * units * (1 + subsets * SELECTIVE_SHARE) / 3600)
    # per subject and category: every unit, without the selective set, the selective set
    # alone, and each random set alone and removed
    fits = TRAINED * SUBJECTS * n_categories * (3 + 2 * random_sets)
    fit_h = fits * fit["seconds"] / 3600
    disk_gb = (n_net * common * read_units + TRAINED * own * units) * 2 / 1e9  # float16
    parts = {"extraction": extraction_h, "encoding_kernels": kernel_h, "ridge_fits": fit_h}
    total = sum(parts.values())
    return {"assumptions": {
        "networks": {"trained": TRAINED, "untrained": UNTRAINED},
        "images_per_network": {"trained": common + own, "untrained": common},
        "subjects": SUBJECTS, "images_per_subject": NSD_IMAGES,
        "voxels_per_subject_ffa_eba_ppa": VOXELS, "largest_region_voxels": LARGEST_REGION,
        "selective_share": SELECTIVE_SHARE,
        "extraction_rate": "median of the measured families", "category_layer_units": units,
        "read_units_per_network": read_units,
        "encoding": "trained networks; per subject and category 3 + 2 x random_sets fits, "
                    "each timed at the largest region's voxels"},
        "hours": {k: round(v, 2) for k, v in parts.items()}, "total_hours": round(total, 2),
        "ridge_fits": fits, "disk_activations_gb": round(disk_gb, 1),
        "dominant": max(parts, key=lambda k: parts[k]),
        "target": {"hours_on_one_h100_class_gpu": TARGET_HOURS,
                   "speedup_needed_over_this_device": {
                       k: round(v / TARGET_HOURS, 1)
                       for k, v in {**parts, "total": total}.items()}}}


def main() -> None:
    params = config.load_params()
    device = resolve_device(params.extraction.device)
    enc = encoding_block(params)
    if os.environ.get("BENCH_SCALE_PROJECT_ONLY") == "1":  # new assumptions, same measurements
        out = RESULTS if device.type == "cpu" else RESULTS.with_name("paper_scale_gpu.json")
        result = json.loads(out.read_text())
        result["projection_this_device"] = projection(
            result["extraction"], result["kernels_one_subject"], result["ridge_fit"],
            enc.random_sets, len(params.categories))
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result["projection_this_device"], indent=2))
        return
    rates = family_rates(params, device)
    n = 1_000 if QUICK else NSD_IMAGES
    # the stage's 3 x (1 + random_sets) subsets hold one float64 n x n kernel each (97 GB at
    # n = 10 000): measured with MEASURED_SUBSETS, memory projected for the stage's count
    kern = kernel_cost(n, 2_048 if QUICK else 8_192, MEASURED_SUBSETS)
    stage_subsets = len(params.categories) * (1 + enc.random_sets)
    kern["stage_subsets"] = stage_subsets
    kern["projected_peak_gb_stage_subsets"] = round((1 + stage_subsets) * n * n * 8 / 1e9, 1)
    print("kernels", json.dumps(kern))
    fit = ridge_cost(int(0.9 * n), n - int(0.9 * n), 200 if QUICK else LARGEST_REGION, params,
                     device)
    print("ridge", json.dumps(fit))
    result = {
        "device": str(device),
        "device_name": torch.cuda.get_device_name() if device.type == "cuda"
        else platform.processor() or platform.machine(),
        "torch_threads": torch.get_num_threads(), "quick": QUICK,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "gpu": "measured" if device.type == "cuda" else
        "not measured: this session was lent no device (figures are this CPU's)",
        "extraction": rates, "kernels_one_subject": kern, "ridge_fit": fit,
        "projection_this_device": projection(rates, kern, fit, enc.random_sets,
                                             len(params.categories))}
    print(json.dumps(result["projection_this_device"], indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    out = RESULTS if device.type == "cpu" else RESULTS.with_name("paper_scale_gpu.json")
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
