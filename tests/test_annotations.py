"""The annotation table (analysis.io.annotations) and the annotate stage: schema checks that
name file, row and problem; COCO derivation on the real shared-1000 annotations; hand labels
overriding derived ones; the demo generator's table against its ground truth; nothing written
when an input is bad."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io import annotations as ann

ROOT = Path(__file__).resolve().parents[1]
COCO = ROOT.parent / "shared" / "offline" / "nsd_shared1000_annotations" / "shared1000.csv"
HEADER = "image_id,human_face,animal_face,exposed_limbs,covered_body,scene_with_people," \
         "scene_without_people,note\n"
RULES = ann.CocoRules(50000.0, ("shirtless", "bikini", "swimsuit", "shorts"),
                      ("jacket", "coat", "suit", "wetsuit"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.csv"
    path.write_text(text)
    return path


def test_a_good_table_reads_back(tmp_path):
    path = write(tmp_path, HEADER + "3,1,0,,,0,0,close-up\n7,,,1,0,,\n")
    t = ann.read_table(path, np.arange(10))
    assert t["image_id"].tolist() == [3, 7]
    assert t["human_face"].tolist()[0] == 1 and np.isnan(t["human_face"].iloc[1])
    assert t["note"].tolist() == ["close-up", ""]
    partial = ann.read_table(write(tmp_path, "image_id,exposed_limbs\n4,1\n"), np.arange(10))
    assert list(partial.columns) == ["image_id", "exposed_limbs"]


@pytest.mark.parametrize("text, row, problem", [
    ("image_id,human_faces\n1,1\n", 1, "unknown column(s) ['human_faces']"),
    ("image,human_face\n1,1\n", 1, "unknown column(s) ['image']"),
    (HEADER + "1,1,0,,,,,\n12,0,1,,,,,\n", 3, "unknown image id 12"),
    (HEADER + "1,1,0,,,,,\n2,,,1,1,,,\n", 3, "conflicting labels: exposed_limbs and covered_body"),
    (HEADER + "1,1,0,,,,,\n2,0,0,,,,,\n1,1,0,,,,,\n", 4,
     "duplicate row: image_id 1 is also on row 2"),
    (HEADER + "1,yes,0,,,,,\n", 2, "human_face = 'yes': use 1, 0 or leave it empty"),
    (HEADER + "x,1,0,,,,,\n", 2, "image_id 'x' is not an integer"),
    # an extra field on the first row: pandas alone would shift it into the index
    (HEADER + "1,1,0,,,,,,1\n2,0,1,,,,,\n", 2, "9 fields, but the header has 8"),
    (HEADER + "1,1,0,,,,,\n2,0,1,,,,,,\n", 3, "9 fields, but the header has 8"),
])
def test_bad_rows_are_named(tmp_path, text, row, problem):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        ann.read_table(path, np.arange(10))
    assert str(err.value).startswith(f"{path}, row {row}: ")
    assert problem in str(err.value)


def test_whole_words_only():
    assert ann._mentions("a man in a suit", ("suit",))
    assert not ann._mentions("a woman in a swimsuit", ("suit",))
    assert ann._mentions("two skiers in the snow", ("skiers",))


def test_coco_rules_on_constructed_rows():
    coco = pd.DataFrame({
        "image_id": [10, 11, 12, 13, 14],
        "coco_supercategs": ["['person']", "['animal']", "['person', 'animal']", "['vehicle']",
                             "['person']"],
        "coco_areas": ["[90000.0]", "[60000.0]", "[80000.0, 70000.0]", "[5000.0]", "[2000.0]"],
        "coco_captions": ["['a man in a jacket']", "['a dog']", "['a girl and her horse']",
                          "['a red car']", "['a surfer in shorts']"]})
    mapping = pd.Series([100, 101, 102, 103, 104], index=[10, 11, 12, 13, 14])
    t = ann.from_coco(coco, mapping, RULES).set_index("image_id")
    assert t.loc[100, ["human_face", "animal_face", "covered_body", "exposed_limbs"]].tolist() \
        == [1, 0, 1, 0]
    assert t.loc[101, ["human_face", "animal_face", "scene_without_people"]].tolist() == [0, 1, 0]
    assert np.isnan(t.loc[102, "human_face"]) and np.isnan(t.loc[102, "animal_face"])
    assert t.loc[103, ["scene_with_people", "scene_without_people", "exposed_limbs"]].tolist() \
        == [0, 1, 0]
    assert np.isnan(t.loc[104, "human_face"]) and t.loc[104, "exposed_limbs"] == 1
    with pytest.raises(InputError, match="row 2: COCO id 10 is not in nsd_stim_info"):
        ann.from_coco(coco, mapping.drop(10), RULES, "x.csv")


@pytest.mark.skipif(not COCO.is_file(), reason="offline mirror of the NSD annotations absent")
def test_coco_derivation_on_the_real_shared1000_annotations():
    coco = pd.read_csv(COCO)
    mapping = pd.Series(np.arange(len(coco)) + 5000, index=coco["image_id"].to_numpy())
    t = ann.from_coco(coco, mapping, RULES)
    assert len(t) == 1000 and t["image_id"].is_unique
    # SOURCE.md: 438 images with a person, 266 with an animal; 51 with both
    assert int(t["scene_with_people"].sum()) == 438
    assert int((t["n_animal"] > 0).sum()) == 266
    assert int(t["scene_without_people"].sum()) == 1000 - 438 - 266 + 51
    for a, b in ann.PAIRS:
        assert not ((t[a] == 1) & (t[b] == 1)).any()
    assert 10 < t["human_face"].sum() < 200 and 10 < t["animal_face"].sum() < 200
    assert t["exposed_limbs"].sum() >= 1 and t["covered_body"].sum() >= 10


def test_hand_labels_override_and_conflicts_are_refused():
    base = pd.DataFrame({"image_id": [1, 2], "human_face": [np.nan, 0.0], "animal_face": [0.0, 1.0],
                         "exposed_limbs": np.nan, "covered_body": np.nan,
                         "scene_with_people": [1.0, 0.0], "scene_without_people": [0.0, 0.0],
                         "source": "coco"})
    hand = pd.DataFrame({"image_id": [1, 9], "human_face": [1.0, np.nan],
                         "exposed_limbs": [np.nan, 1.0]})
    out = ann.merge(base, hand).set_index("image_id")
    assert out.loc[1, "human_face"] == 1 and out.loc[1, "source"] == "coco+hand"
    assert out.loc[9, "exposed_limbs"] == 1 and out.loc[9, "source"] == "hand"
    assert out.loc[2, "source"] == "coco"
    with pytest.raises(InputError, match="human_face and animal_face both 1 for image_id 2"):
        ann.merge(base, pd.DataFrame({"image_id": [2], "human_face": [1.0]}))


def test_generator_attributes_become_labels():
    t = ann.from_attributes(np.arange(7), np.array(["face", "face", "body", "body", "scene",
                                                    "scene", "object"]),
                            np.array(["human", "animal", "exposed", "covered", "people",
                                      "nopeople", ""]))
    labels = t[list(ann.LABELS)].to_numpy()
    np.testing.assert_array_equal(labels[:6], np.eye(6, dtype=int))
    assert labels[6].sum() == 0 and set(t["source"]) == {"synthetic truth"}


def test_demo_table_matches_the_generators_truth():
    truth = ROOT / "data" / "demo" / "truth"
    table = ROOT / "results" / "annotations" / "images.csv"
    if not (truth / "images.csv").is_file() or not table.is_file():
        pytest.skip("run `dvc repro annotate` first")
    t = pd.read_csv(truth / "images.csv").set_index("nsd_id")
    a = pd.read_csv(table).set_index("image_id").loc[t.index]
    for label, (cat, attr) in {"human_face": ("face", "human"),
                               "animal_face": ("face", "animal"),
                               "exposed_limbs": ("body", "exposed"),
                               "covered_body": ("body", "covered"),
                               "scene_with_people": ("scene", "people"),
                               "scene_without_people": ("scene", "nopeople")}.items():
        expected = ((t["category"] == cat) & (t["attribute"] == attr)).astype(int)
        assert (a[label] == expected).all(), label


def test_annotate_stage_writes_nothing_when_hand_labels_are_bad(tmp_path, monkeypatch):
    """A bad hand-label file stops the stage with its row and problem; no output appears. A
    good one is merged. (A ten-image synthetic tier written here: runs on a fresh clone.)"""
    from analysis.io.nsd import layout
    from analysis.io.nsd.stimuli import STIM_COLUMNS
    from analysis.stages import annotate
    for name in ("params.yaml", "zoo.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    stim = layout.stim_info(Path("data/demo/nsd"))
    stim.parent.mkdir(parents=True)
    table = pd.DataFrame({c: 0 for c in STIM_COLUMNS}, index=range(10))
    table["nsdId"], table["cocoId"] = np.arange(10), 900000 + np.arange(10)
    table.to_csv(stim)
    truth = Path("data/demo/truth")
    truth.mkdir(parents=True)
    cats = np.array(["face", "face", "body", "body", "scene", "scene", "object"] + ["object"] * 3)
    attrs = np.array(["human", "animal", "exposed", "covered", "people", "nopeople"] + [""] * 4)
    ann.from_attributes(np.arange(10), cats, attrs).to_csv(truth / "annotations.csv",
                                                           index=False)
    Path("data/annotations").mkdir(parents=True)
    hand = Path("data/annotations/hand_labels.csv")
    hand.write_text(HEADER + "1,1,1,,,,,\n")
    with pytest.raises(InputError, match=r"hand_labels.csv, row 2: conflicting labels"):
        annotate.run(argparse.Namespace(params="params.yaml"))
    assert not Path("results").exists()
    hand.write_text(HEADER + "12,1,0,,,,,\n")
    with pytest.raises(InputError, match=r"row 2: unknown image id 12"):
        annotate.run(argparse.Namespace(params="params.yaml"))
    assert not Path("results").exists()
    hand.write_text(HEADER + "7,1,0,,,,,\n")
    annotate.run(argparse.Namespace(params="params.yaml"))
    out = pd.read_csv("results/annotations/images.csv").set_index("image_id")
    assert out.loc[7, "human_face"] == 1 and out.loc[7, "source"] == "synthetic truth+hand"
    assert out.loc[0, "human_face"] == 1 and out.loc[1, "animal_face"] == 1
