"""Image annotations for the stimulus-level divergence analysis: one table, one schema.

The table has one row per image, keyed by ``image_id`` (the tier's dataset's image id, as in
the prepared brain stores and the image stores; NSD: the 0-based index into its 73k images),
and six labels in three mutually exclusive pairs:

==========================  =================================================================
``human_face``              a human face is the image's main content
``animal_face``             an animal face is the image's main content
``exposed_limbs``           a human body with bare limbs (arms or legs) is visible
``covered_body``            a human body covered by clothing is visible
``scene_with_people``       a scene with one or more people in it
``scene_without_people``    a scene without people (or animals)
==========================  =================================================================

A label is 1 (yes), 0 (no) or empty (not known). Both members of a pair may be 0 (the image is
neither, e.g. a face image is no scene) but never both 1. Optional descriptive columns:
``n_person``, ``n_animal``, ``person_area``, ``animal_area`` (COCO instances; largest instance
area in pixels of the original COCO image), ``source`` and ``note``.

Where the labels come from:

* demo and public tiers: the generator of the synthetic NSD knows every image's attributes and
  writes the table (``data/demo/truth/annotations.csv``), read back with :func:`read_table`;
* nsd tier: :func:`from_coco` derives what COCO gives (people and animals, their areas, words
  in the captions) from DeepNSD's ``shared1000.csv`` (COCO ids, mapped to NSD ids through
  ``nsd_stim_info_merged.csv``);
* every tier: hand labels from a CSV with the same schema (``image_id`` plus any label columns;
  :func:`read_table`) override the derived labels they give (:func:`merge`).

Every check raises :class:`~analysis.errors.InputError` naming the file, the row (the line in
the file, the header being line 1) and the problem.
"""

from __future__ import annotations

import ast
import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError

PAIRS: tuple[tuple[str, str], ...] = (("human_face", "animal_face"),
                                      ("exposed_limbs", "covered_body"),
                                      ("scene_with_people", "scene_without_people"))
LABELS: tuple[str, ...] = tuple(label for pair in PAIRS for label in pair)
DESCRIPTIVE: tuple[str, ...] = ("n_person", "n_animal", "person_area", "animal_area", "source",
                                "note")
COLUMNS: tuple[str, ...] = ("image_id", *LABELS, *DESCRIPTIVE)


@dataclass(frozen=True)
class CocoRules:
    """How labels are derived from COCO instances and captions (params.yaml `annotations`).

    close_area: a person (animal) whose largest instance covers at least this many pixels of the
    original COCO image (640 x 480 typically) and no animal (person) in the image: the image is
    a close view of a human (animal), taken as its face being the main content.
    exposed_words / covered_words: words in any of the five captions of an image with people
    that mark bare limbs / covered bodies (an image matching both lists is left unlabelled)."""

    close_area: float
    exposed_words: tuple[str, ...]
    covered_words: tuple[str, ...]


def _fail(path: Path | str, row: int | None, problem: str) -> InputError:
    where = f"{path}, row {row}" if row is not None else f"{path}"
    return InputError(f"{where}: {problem}")


def _check_fields(path: Path) -> None:
    """No row has more fields than the header (pandas would silently shift a row with an
    extra field into the index and blame the wrong column)."""
    with path.open(newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None:
            raise _fail(path, 1, "the file is empty; the first row names the columns")
        for k, row in enumerate(rows):
            if len(row) > len(header):  # fewer: the trailing labels are empty
                raise _fail(path, k + 2, f"{len(row)} fields, but the header has "
                            f"{len(header)} ({', '.join(header)})")


def read_table(path: Path | str, known_ids: np.ndarray | None = None) -> pd.DataFrame:
    """Read and validate an annotation CSV (the whole table or hand labels).

    Checks: an ``image_id`` column and no column outside :data:`COLUMNS`; every id an integer and,
    when ``known_ids`` is given, one of them; no id twice; label values 1, 0 or empty; no pair
    with both labels 1. Returns the table with ``image_id`` int64 and labels float (NaN = not
    known), rows in file order."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} not found: an annotation CSV with the columns image_id, "
                         f"{', '.join(LABELS)} (see analysis/io/annotations.py)")
    _check_fields(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, index_col=False)
    unknown = [c for c in table.columns if c not in COLUMNS]
    if unknown:
        raise _fail(path, 1, f"unknown column(s) {unknown}; allowed: {list(COLUMNS)}")
    if "image_id" not in table.columns:
        raise _fail(path, 1, "no 'image_id' column (the dataset's image ids; NSD: the "
                    "0-based index into its 73k images)")
    known = None if known_ids is None else set(np.asarray(known_ids).tolist())
    ids: list[int] = []
    seen: dict[int, int] = {}
    for k, raw in enumerate(table["image_id"]):
        row = k + 2
        try:
            image_id = int(raw.strip())
        except ValueError:
            raise _fail(path, row, f"image_id {raw!r} is not an integer") from None
        if known is not None and image_id not in known:
            raise _fail(path, row, f"unknown image id {image_id}: not one of the tier's images")
        if image_id in seen:
            raise _fail(path, row, f"duplicate row: image_id {image_id} is also on row "
                        f"{seen[image_id]}")
        seen[image_id] = row
        ids.append(image_id)
    out = pd.DataFrame({"image_id": np.asarray(ids, dtype=np.int64)})
    for label in LABELS:
        if label not in table.columns:
            continue
        values = np.full(len(table), np.nan)
        for k, raw in enumerate(table[label]):
            v = raw.strip()
            if v in ("1", "0"):
                values[k] = float(v)
            elif v:
                raise _fail(path, k + 2, f"{label} = {raw!r}: use 1, 0 or leave it empty")
        out[label] = values
    for a, b in PAIRS:
        if a in out and b in out:
            both = np.flatnonzero((out[a] == 1) & (out[b] == 1))
            if len(both):
                raise _fail(path, int(both[0]) + 2, f"conflicting labels: {a} and {b} are both "
                            f"1 for image_id {out['image_id'].iloc[both[0]]}")
    for col in DESCRIPTIVE:
        if col in table.columns:
            out[col] = table[col].to_numpy()
    return out


def _parse_list(text: str, path: Path | str, row: int, column: str) -> list:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise _fail(path, row, f"{column} is not a list literal: {text[:60]!r}") from None
    if not isinstance(value, list):
        raise _fail(path, row, f"{column} is not a list: {text[:60]!r}")
    return value


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` contains any of ``words`` as whole words ('suit' not in 'swimsuit')."""
    return any(re.search(rf"\b{re.escape(w.lower())}\b", text) for w in words)


def from_coco(coco: pd.DataFrame, coco_to_nsd: pd.Series, rules: CocoRules,
              path: Path | str = "shared1000.csv") -> pd.DataFrame:
    """Labels derived from COCO annotations (DeepNSD's shared1000.csv layout: image_id = COCO
    id, coco_supercategs, coco_areas, coco_captions as Python-list strings), one row per image
    whose COCO id ``coco_to_nsd`` (COCO id -> 0-based NSD id) maps.

    scene_with_people: any 'person' instance; scene_without_people: neither people nor
    animals; human_face / animal_face: see :class:`CocoRules` (0 where COCO shows it is not the
    case, empty where it cannot tell); exposed_limbs / covered_body: caption words, on images
    with people only."""
    needed = ["image_id", "coco_supercategs", "coco_areas", "coco_captions"]
    missing = [c for c in needed if c not in coco.columns]
    if missing:
        raise _fail(path, 1, f"missing column(s) {missing}; expected DeepNSD's shared1000.csv")
    rows = []
    for k, rec in enumerate(coco.itertuples(index=False)):
        row = k + 2
        coco_id = int(rec.image_id)
        if coco_id not in coco_to_nsd.index:
            raise _fail(path, row, f"COCO id {coco_id} is not in nsd_stim_info_merged.csv")
        supers = _parse_list(rec.coco_supercategs, path, row, "coco_supercategs")
        areas = _parse_list(rec.coco_areas, path, row, "coco_areas")
        captions = " ".join(_parse_list(rec.coco_captions, path, row, "coco_captions")).lower()
        if len(supers) != len(areas):
            raise _fail(path, row, f"{len(supers)} instances but {len(areas)} areas")
        person = [float(a) for s, a in zip(supers, areas, strict=True) if s == "person"]
        animal = [float(a) for s, a in zip(supers, areas, strict=True) if s == "animal"]
        p_area, a_area = max(person, default=0.0), max(animal, default=0.0)
        exposed = bool(person) and _mentions(captions, rules.exposed_words)
        covered = bool(person) and _mentions(captions, rules.covered_words)
        rows.append({
            "image_id": int(coco_to_nsd[coco_id]),
            "human_face": 1.0 if p_area >= rules.close_area and not animal else
            (0.0 if not person else np.nan),
            "animal_face": 1.0 if a_area >= rules.close_area and not person else
            (0.0 if not animal else np.nan),
            "exposed_limbs": 1.0 if exposed and not covered else
            (0.0 if not person or covered and not exposed else np.nan),
            "covered_body": 1.0 if covered and not exposed else
            (0.0 if not person or exposed and not covered else np.nan),
            "scene_with_people": 1.0 if person else 0.0,
            "scene_without_people": 1.0 if not person and not animal else 0.0,
            "n_person": len(person), "n_animal": len(animal),
            "person_area": round(p_area, 1), "animal_area": round(a_area, 1),
            "source": "coco"})
    return pd.DataFrame(rows, columns=["image_id", *LABELS, "n_person", "n_animal",
                                       "person_area", "animal_area", "source"])


def merge(base: pd.DataFrame, hand: pd.DataFrame) -> pd.DataFrame:
    """``base`` with the labels ``hand`` gives (non-empty) taking precedence; rows of ``hand``
    for images not in ``base`` are added. ``source`` gains '+hand' where a hand label was used.
    Rows sorted by image_id; a pair made to conflict by the merge is an error."""
    out = base.set_index("image_id").copy()
    for label in LABELS:
        if label not in out:
            out[label] = np.nan
    if "source" not in out:
        out["source"] = ""
    out["source"] = out["source"].fillna("").astype(str)
    for rec in hand.set_index("image_id").itertuples():
        image_id = rec.Index
        if image_id not in out.index:
            out.loc[image_id, LABELS] = np.nan
            out.loc[image_id, "source"] = ""
        used = False
        for label in LABELS:
            value = getattr(rec, label, np.nan)
            if np.isfinite(value):
                out.loc[image_id, label] = value
                used = True
        if used:
            src = out.loc[image_id, "source"]
            out.loc[image_id, "source"] = f"{src}+hand" if src else "hand"
    out = out.sort_index().reset_index()
    for a, b in PAIRS:
        both = out[(out[a] == 1) & (out[b] == 1)]
        if len(both):
            raise InputError(f"hand labels conflict with the derived ones: {a} and {b} both 1 "
                             f"for image_id {int(both['image_id'].iloc[0])}; give both labels "
                             "in the hand-label row")
    return out[[c for c in COLUMNS if c in out.columns]]


def from_attributes(image_ids: np.ndarray, categories: np.ndarray, attributes: np.ndarray
                    ) -> pd.DataFrame:
    """The table from a synthetic image's known category (face, body, scene, object) and
    attribute (human/animal, exposed/covered, people/nopeople): every label known."""
    cat, attr = np.asarray(categories), np.asarray(attributes)
    is_ = {("face", "human"): "human_face", ("face", "animal"): "animal_face",
           ("body", "exposed"): "exposed_limbs", ("body", "covered"): "covered_body",
           ("scene", "people"): "scene_with_people", ("scene", "nopeople"): "scene_without_people"}
    table = pd.DataFrame({"image_id": np.asarray(image_ids, dtype=np.int64)})
    for (c, a), label in is_.items():
        table[label] = ((cat == c) & (attr == a)).astype(int)
    table["source"] = "synthetic truth"
    return table
