"""Where NSD keeps each file, relative to the root of an NSD copy (the S3 bucket's layout)."""

from __future__ import annotations

from pathlib import Path

from analysis import vocabulary

BETA_DIR = "betas_fithrf_GLMdenoise_RR"
SPACE = "func1pt8mm"

#: fLOC domain contrasts that NSD ships as t-maps (analysis.vocabulary).
FLOC_DOMAINS = vocabulary.FLOC_DOMAINS


def subj(subject: int) -> str:
    """NSD's subject folder name, e.g. 1 -> 'subj01'."""
    if not 1 <= int(subject) <= 99:
        raise ValueError(f"subject must be a positive NSD subject number, got {subject!r}")
    return f"subj{int(subject):02d}"


def expdesign(root: Path) -> Path:
    return Path(root) / "nsddata/experiments/nsd/nsd_expdesign.mat"


def stim_info(root: Path) -> Path:
    return Path(root) / "nsddata/experiments/nsd/nsd_stim_info_merged.csv"


def stimulus_brick(root: Path) -> Path:
    return Path(root) / "nsddata_stimuli/stimuli/nsd/nsd_stimuli.hdf5"


def beta_dir(root: Path, subject: int) -> Path:
    return Path(root) / "nsddata_betas/ppdata" / subj(subject) / SPACE / BETA_DIR


def betas(root: Path, subject: int, session: int, fmt: str) -> Path:
    """Single-trial betas of one session; ``fmt`` is 'nifti' or 'hdf5'."""
    ext = {"nifti": "nii.gz", "hdf5": "hdf5"}[fmt]
    return beta_dir(root, subject) / f"betas_session{int(session):02d}.{ext}"


def ncsnr(root: Path, subject: int) -> Path:
    return beta_dir(root, subject) / "ncsnr.nii.gz"


def ppdata(root: Path, subject: int) -> Path:
    return Path(root) / "nsddata/ppdata" / subj(subject) / SPACE


def roi_volume(root: Path, subject: int, name: str) -> Path:
    """Integer label volume, e.g. name='floc-faces'."""
    return ppdata(root, subject) / "roi" / f"{name}.nii.gz"


def floc_tmap(root: Path, subject: int, contrast: str) -> Path:
    """fLOC t-map, e.g. contrast='faces' -> floc_facestval.nii.gz."""
    return ppdata(root, subject) / f"floc_{contrast}tval.nii.gz"
