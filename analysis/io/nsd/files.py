"""Which files of an NSD copy the pipeline reads, for the current parameters.

``brain_files``: prepare-brain's (the design, and per subject the ROI label volumes, the fLOC
t-maps, ncsnr and every session's betas); ``pipeline_files`` adds nsd-images' and annotate's
(the stimulus information table and the stimulus brick). The manifest (nsd-manifest) and the
import (nsd-import) cover exactly these files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.config import BrainSource
from analysis.io.nsd import betas, layout


def session_file(root: Path, subject: int, session: int, beta_format: str) -> Path:
    """A session's betas: the file present (``auto``: HDF5 first), or the named format's."""
    if beta_format == "auto":
        return betas.find_session_file(root, subject, session, beta_format)[0]
    return layout.betas(root, subject, session, beta_format)


def brain_files(src: BrainSource, roi_defs: dict[str, dict[str, Any]], rois: list[str],
                beta_format: str) -> list[Path]:
    """Every file prepare-brain reads, in reading order."""
    root = src.root
    files = [layout.expdesign(root)]
    for s, n_sessions in src.sessions_per_subject.items():
        files += sorted({layout.roi_volume(root, s, roi_defs[r]["volume"]) for r in rois})
        files += [layout.floc_tmap(root, s, c) for c in layout.FLOC_DOMAINS]
        files.append(layout.ncsnr(root, s))
        files += [session_file(root, s, ses, beta_format) for ses in range(1, n_sessions + 1)]
    return files


def pipeline_files(src: BrainSource, roi_defs: dict[str, dict[str, Any]], rois: list[str],
                   beta_format: str) -> list[Path]:
    """Every file of the copy the pipeline reads (prepare-brain, nsd-images, annotate)."""
    return [*brain_files(src, roi_defs, rois, beta_format), layout.stim_info(src.root),
            layout.stimulus_brick(src.root)]
