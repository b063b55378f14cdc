"""Every path the pipeline reads or writes, relative to the repository root.

Stages import their inputs' and outputs' locations from here, never from each other, so a
stage's import closure (its code dependencies in dvc.yaml) stays its own. This module imports
nothing but pathlib; dvc.yaml's ``outs`` must match the paths below (tests/test_pipeline.py).
"""

from __future__ import annotations

from pathlib import Path

# --- inputs kept in git -------------------------------------------------------------------
PARAMS = Path("params.yaml")
ZOO = Path("zoo.yaml")  # the model zoo, beside params.yaml
SOURCES = Path("data/sources.yaml")  # canonical sources and digests of the public inputs
PUBLISHED_REFERENCE = Path("data/published_reference.yaml")
MANUSCRIPT_MAIN = Path("manuscript/main.tex")

# --- simulate: the synthetic miniature NSD (demo and public tiers) ------------------------
DEMO = Path("data/demo")
DEMO_NSD = DEMO / "nsd"
DEMO_STIMULI = DEMO / "stimuli"
DEMO_TRUTH = DEMO / "truth"
CONTROL_BRAIN = DEMO_TRUTH / "control_brain.h5"  # a noise-free simulated subject (controls)
VOXEL_TRUTH = DEMO_TRUTH / "voxels.h5"  # every simulated voxel's truth (planted-truth)

# --- brain side ---------------------------------------------------------------------------
PREPARED_BRAIN = Path("data/prepared/brain")  # prepare-brain: one HDF5 store per subject
SELECTED_VOXELS = Path("data/selected")       # select-voxels: voxels.csv, counts.csv

# --- stimuli and networks -----------------------------------------------------------------
STIMULI = Path("data/stimuli")                # stimuli: one folder per set with index.csv
NSD_IMAGES = Path("data/nsd_images/shared.h5")  # nsd-images: the shared NSD images
NSD_OWN_IMAGES = Path("data/nsd_images/own.h5")  # nsd-images: every subject's own images
PREPROCESSED = Path("data/preprocessed")      # preprocess@<config>: <config>/<set>.npy|csv
NSD_SHARED_SET = "nsd_shared"                 # the set name of the shared NSD images
NSD_OWN_SET = "nsd_own"                       # the subjects' own NSD images (encoding training)
ACTIVATIONS = Path("data/activations")        # extract@<model>: <model>/<set>.h5, info.json
UNIT_STATS = Path("data/units")               # localize-units: <model>.h5 unit t-values
LOCALIZER = Path("results/network/localizer")  # select-units: counts, overlap, generalisation
LESION = Path("results/network/lesion")       # lesion: <model>.csv, summary.json
METRICS = Path("results/network/metrics")     # selectivity-metrics

# --- comparisons --------------------------------------------------------------------------
COMPARISON = Path("results/comparison")
ROBUSTNESS = Path("results/robustness")
VALIDATION = Path("results/validation")
PLANTED_TRUTH = Path("results/planted_truth")  # planted-truth: table.csv, subjects.csv, summary
SYSTEMS_MAP = Path("results/systems_map")
RSA92 = Path("results/rsa92")
ANNOTATIONS = Path("results/annotations")     # annotate: images.csv, summary.json
DEMO_ANNOTATIONS = DEMO_TRUTH / "annotations.csv"  # simulate: the synthetic images' labels
ANALYSES = Path("results/analyses")  # the registered analyses: <name>/ (analysis.registry)
OOD_DATA = Path("data/ood")                    # ood-domains: domain images' activations

# --- reporting ----------------------------------------------------------------------------
RESULTS = Path("results/results.json")        # every number, for the manuscript
REPORTS = Path("metrics")                     # reports: DVC's metrics, plot tables, page
HEADLINE = REPORTS / "headline.json"          # the DVC metrics file (dvc metrics/exp show)
THRESHOLD_SWEEP = REPORTS / "threshold_sweep.csv"  # dvc plots: the gap per threshold
UNIT_COUNTS = REPORTS / "unit_counts.csv"     # dvc plots: units and voxels per threshold
VEGA_TEMPLATE = REPORTS / "vega_offline.html"  # dvc plots show's page (.dvc/config)
REPRODUCTION = Path("results/reproduction.csv")
GENERATED_TEX = Path("manuscript/generated")
MANUSCRIPT_PDF = Path("manuscript/selcomp.pdf")
FIGURES = Path("figures")
FIGURE2 = FIGURES / "figure2_selective_units.pdf"
FIGURE_S1 = FIGURES / "figureS1_metrics_study.pdf"
FIGURE1 = FIGURES / "figure1_profiles.pdf"
FIGURE3 = FIGURES / "figure3_human_vs_network.pdf"
FIGURE4 = FIGURES / "figure4_robustness.pdf"
FIGURE5 = FIGURES / "figure5_encoding.pdf"
FIGURE_S2 = FIGURES / "figureS2_reverse_predictivity.pdf"
FIGURE6 = FIGURES / "figure6_divergence.pdf"
FIGURE_S3 = FIGURES / "figureS3_alignment_patterns.pdf"
FIGURE_S4 = FIGURES / "figureS4_ood_decoding.pdf"
FIGURE_MANIFEST = FIGURES / "manifest.json"
EXPLORER = Path("explorer/index.html")        # explore: the interactive page, offline

#: Prefix of the temporary siblings that atomic writes use (ignored by .dvcignore).
STAGING_PREFIX = ".staging."


def brain_store(subject: int) -> Path:
    """The prepared store of one NSD subject, e.g. data/prepared/brain/subj01.h5."""
    return PREPARED_BRAIN / f"subj{int(subject):02d}.h5"


def stimulus_set(name: str) -> Path:
    return STIMULI / name


def preprocessed(config: str, stim_set: str, suffix: str) -> Path:
    """A preprocessed set: ``suffix`` 'npy' (uint8 images) or 'csv' (its index)."""
    return PREPROCESSED / config / f"{stim_set}.{suffix}"


def activations(model: str, stim_set: str | None = None) -> Path:
    """A model's activation folder, or one set's HDF5 file in it."""
    return ACTIVATIONS / model if stim_set is None else ACTIVATIONS / model / f"{stim_set}.h5"


def unit_stats(model: str) -> Path:
    return UNIT_STATS / f"{model}.h5"


def figure_provenance(figure: Path) -> Path:
    return figure.with_suffix(".provenance.json")
