"""Public stimulus sets: checksum pinning, mirror and download paths, indexes."""

import hashlib
import zipfile
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.io import public_inputs as pi
from analysis.io.stimulus_sets import build_index

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT.parent / "shared" / "offline"


def _spec(tmp_path: Path, files: dict[str, bytes], **extra) -> dict:
    lines = "".join(f"{k} {hashlib.sha256(v).hexdigest()}\n" for k, v in sorted(files.items()))
    return {"files": ["*/main_*.png"], "mirror_subdir": "loc2",
            "sha256_tree": hashlib.sha256(lines.encode()).hexdigest(), **extra}


def test_tree_digest_is_the_documented_closed_form(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/x.bin").write_bytes(b"xyz")
    (tmp_path / "b.bin").write_bytes(b"")
    lines = (f"a/x.bin {hashlib.sha256(b'xyz').hexdigest()}\n"
             f"b.bin {hashlib.sha256(b'').hexdigest()}\n")
    expected = hashlib.sha256(lines.encode()).hexdigest()
    assert pi.tree_digest(tmp_path, ["b.bin", "a/x.bin"]) == expected


def test_download_path_extracts_rearranges_and_verifies(tmp_path):
    files = {"face/main_face_1.png": b"F1", "body/main_body_2.png": b"B2"}
    archive = tmp_path / "src.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("RT_exp-abc/stimuli/main_face_1.png", b"F1")
        z.writestr("RT_exp-abc/stimuli/main_body_2.png", b"B2")
        z.writestr("RT_exp-abc/README.md", b"not part of the set")
    spec = _spec(tmp_path, files, archive_url=archive.as_uri(), archive_subdir="stimuli",
                 flat_to_category=True)
    assert pi.fetch("localizer2", spec, tmp_path / "out", mirror=None) == "canonical"
    assert (tmp_path / "out/face/main_face_1.png").read_bytes() == b"F1"


def test_altered_copy_is_rejected_with_the_fix(tmp_path):
    files = {"face/main_face_1.png": b"F1"}
    spec = _spec(tmp_path, files)
    mirror = tmp_path / "mirror"
    (mirror / "loc2/face").mkdir(parents=True)
    (mirror / "loc2/face/main_face_1.png").write_bytes(b"F1 but edited")
    with pytest.raises(InputError, match="altered or incomplete") as err:
        pi.fetch("localizer2", spec, tmp_path / "out", mirror=mirror)
    assert f"from {mirror / 'loc2'} has tree digest" in str(err.value)  # not the staging copy
    assert str(tmp_path / "out") not in str(err.value)


def test_unreachable_source_names_the_mirror_setting(tmp_path):
    spec = _spec(tmp_path, {}, archive_url=(tmp_path / "missing.zip").as_uri(),
                 archive_subdir="")
    with pytest.raises(InputError, match="SELCOMP_OFFLINE_MIRROR"):
        pi.fetch("localizer2", spec, tmp_path / "out", mirror=None)


def test_bad_mirror_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(pi.MIRROR_ENV, str(tmp_path / "nope"))
    with pytest.raises(InputError, match="SELCOMP_OFFLINE_MIRROR"):
        pi.mirror_root()


@pytest.mark.skipif(not MIRROR.is_dir(), reason="offline mirror ../shared/offline not present")
@pytest.mark.parametrize("name,n,origin", [("localizer2", 185, "canonical"),
                                           ("kriegeskorte92", 92, "canonical"),
                                           ("faces_identity", 400, "canonical")])
def test_real_sets_from_the_offline_mirror(tmp_path, name, n, origin):
    spec = pi.load_sources(ROOT / "data/sources.yaml")[name]
    assert pi.fetch(name, spec, tmp_path / name, MIRROR) == origin
    index = build_index(name, tmp_path / name)
    assert len(index) == n
    if name == "localizer2":
        assert index["category"].value_counts().to_dict() == {
            "object": 60, "body": 50, "scene": 50, "face": 25}
    if name == "kriegeskorte92":
        assert (index["domain"] == "faces").sum() == 24
    if name == "faces_identity":
        assert index["identity"].nunique() == 40
