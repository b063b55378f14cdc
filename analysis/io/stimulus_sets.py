"""Index every stimulus set the same way: one row per image with its category and domain.

``index.csv`` columns: file (relative to the set folder), category (the set's own label),
domain (faces | bodies | places | characters | objects | scrambled | other), plus set-specific
columns (identity for face-identity sets; human/face/animal flags for the 92-image set).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
from PIL import Image

from analysis.errors import InputError
from analysis.vocabulary import FLOC_DOMAINS

#: fLoc subcategories and the domain each belongs to (as in VPNL/fLoc).
FLOC_SUBCATEGORIES = {
    "adult": "faces", "child": "faces", "body": "bodies", "limb": "bodies",
    "corridor": "places", "house": "places", "word": "characters", "number": "characters",
    "car": "objects", "instrument": "objects",
}
LOCALIZER2_DOMAINS = {"face": "faces", "body": "bodies", "scene": "places", "object": "objects"}
K92_MAT = "Kriegeskorte_Neuron2008_supplementalData.mat"


def index_floc(folder: Path) -> pd.DataFrame:
    rows = []
    for p in sorted(folder.glob("*/*.jpg")):
        sub = p.parent.name
        if sub in FLOC_SUBCATEGORIES or sub == "scrambled":
            rows.append({"file": f"{sub}/{p.name}", "category": sub,
                         "domain": FLOC_SUBCATEGORIES.get(sub, "scrambled")})
    return pd.DataFrame(rows)


def index_localizer2(folder: Path) -> pd.DataFrame:
    rows = [{"file": f"{p.parent.name}/{p.name}", "category": p.parent.name,
             "domain": LOCALIZER2_DOMAINS[p.parent.name],
             "number": int(p.stem.rsplit("_", 1)[1])}
            for p in folder.glob("*/main_*.png") if p.parent.name in LOCALIZER2_DOMAINS]
    return pd.DataFrame(rows).sort_values("number", kind="stable").reset_index(drop=True)


def index_faces_identity(folder: Path) -> pd.DataFrame:
    rows = [{"file": f"att_faces/{p.parent.name}/{p.name}", "category": "face",
             "domain": "faces", "identity": int(p.parent.name[1:]), "image": int(p.stem)}
            for p in folder.glob("att_faces/s*/*.pgm")]
    return pd.DataFrame(rows).sort_values(["identity", "image"]).reset_index(drop=True)


def index_kriegeskorte92(folder: Path) -> pd.DataFrame:
    """Write the 92 images out of the .mat (lossless PNG) and index them in .mat order."""
    mat = folder / K92_MAT
    if not mat.is_file():
        raise InputError(f"{mat} not found; fetch the kriegeskorte92 set (data/sources.yaml)")
    m = scipy.io.loadmat(mat, squeeze_me=True, struct_as_record=False)
    rows = []
    (folder / "images").mkdir(exist_ok=True)
    for k, s in enumerate(np.atleast_1d(m["stimuli_92objs"]), start=1):
        rel = f"images/stim{k:02d}.png"
        Image.fromarray(np.asarray(s.image, dtype=np.uint8)).save(folder / rel)
        cat = str(s.category)
        domain = ("faces" if s.face else "bodies" if "bodypart" in cat else "objects")
        rows.append({"file": rel, "category": cat, "domain": domain, "human": int(s.human),
                     "face": int(s.face), "animal": int(s.animal), "natural": int(s.natural)})
    return pd.DataFrame(rows)


def localizer_domains(domains: "pd.Series | list[str]") -> list[str]:
    """The localizer domains present in a set's ``domain`` column, in canonical order
    (scrambled and other images are not a domain)."""
    present = set(domains)
    return [d for d in FLOC_DOMAINS if d in present]


INDEXERS = {"floc": index_floc, "localizer2": index_localizer2,
            "faces_identity": index_faces_identity, "kriegeskorte92": index_kriegeskorte92}


def build_index(name: str, folder: Path) -> pd.DataFrame:
    """Index a fetched or simulated set; fails if the folder has no images."""
    if name not in INDEXERS:
        raise InputError(f"unknown stimulus set '{name}'; known: {sorted(INDEXERS)}")
    table = INDEXERS[name](folder)
    if table.empty:
        raise InputError(f"stimulus set '{name}' in {folder} has no images")
    return table
