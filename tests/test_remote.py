"""The compendium against remote storage, for real: a local S3-compatible server (moto's server
mode, on 127.0.0.1 and a free port) talks to DVC's own S3 remote code (dvc-s3) over HTTP.

An author pushes the demo's outputs; a reviewer clones the repository afresh and pulls: then
`dvc status` is clean, `dvc repro` runs no stage, the audit finds every figure UP TO DATE and
the PDF is byte-identical to the pushed one. The same through the `local` remote. An object
damaged on the remote fails the pull, naming the file, and is never checked out. After a
pull, the variant threshold=3 reruns exactly the stages that depend on the threshold, and
`dvc exp push` / `dvc exp pull` share it through a git remote and the DVC remote.

The remote's URL, endpoint and credentials are set with `dvc remote modify --local` (in
.dvc/config.local, never committed). Marked integration: it needs the demo's outputs in this
checkout's cache (`make repro`) and pushes them; with the variant, about 12 minutes in all.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.clones import ROOT, clone, dvc, ran_stages, run
from tests.s3_endpoint import client, server

PDF = "manuscript/selcomp.pdf"
BUCKET = "selcomp-test"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[str]:
    """A moto S3 server with an empty bucket; stopped after the module."""
    with server(tmp_path_factory.mktemp("moto") / "server.log") as url:
        client(url).create_bucket(Bucket=BUCKET)
        yield url


def _use_s3(repo: Path, url: str, prefix: str = "dvc-cache", author: bool = False) -> None:
    """Point ``repo``'s `storage` remote at the endpoint. A reviewer reads anonymously, as
    the committed config says (a public bucket); an author signs with the credentials in
    the environment and makes what it pushes publicly readable."""
    dvc("remote", "modify", "--local", "storage", "url", f"s3://{BUCKET}/{prefix}", cwd=repo)
    dvc("remote", "modify", "--local", "storage", "endpointurl", url, cwd=repo)
    if author:
        dvc("remote", "modify", "--local", "storage", "allow_anonymous_login", "false",
             cwd=repo)
        dvc("remote", "modify", "--local", "storage", "acl", "public-read", cwd=repo)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def committed(tmp_path_factory) -> Path:
    """The committed state, its outputs present: skips when this checkout's workspace or
    cache does not hold what dvc.lock records (run `make repro` first)."""
    status = dvc("status", "--json", cwd=ROOT, check=False)
    if status.returncode != 0 or status.stdout.strip() not in ("{}", ""):
        pytest.skip("the workspace does not match dvc.lock: run `make repro` first")
    if run(["git", "status", "--porcelain", "--untracked-files=no"], ROOT).stdout.strip():
        pytest.skip("uncommitted changes: the test clones the committed state")
    return ROOT


def _author(tmp: Path, committed: Path) -> Path:
    """A clone whose cache is this checkout's (it holds every output dvc.lock records)."""
    author = clone(tmp / "author" / "selcomp")
    dvc("config", "--local", "cache.dir", str(committed / ".dvc" / "cache"), cwd=author)
    return author


def _review(repo: Path, remote: str) -> None:
    """A reviewer's checks after `dvc pull`: clean status, no stage rerun, every figure's
    audit UP TO DATE, and the PDF byte-identical to the author's."""
    dvc("pull", "-r", remote, cwd=repo)
    assert "up to date" in dvc("status", cwd=repo).stdout
    again = dvc("repro", cwd=repo)
    assert "Running stage" not in again.stdout, again.stdout
    figures = sorted(p.relative_to(repo).as_posix() for p in (repo / "figures").glob("*.pdf"))
    assert len(figures) >= 9, figures
    for figure in figures:
        audit = run([sys.executable, "-m", "analysis", "audit", figure], repo)
        assert "Status: UP TO DATE" in audit.stdout, audit.stdout
    assert _md5(repo / PDF) == _md5(ROOT / PDF)
    verified = run([sys.executable, "-m", "analysis", "verify"], repo)
    assert "VERIFIED: every output, figure and number" in verified.stdout, verified.stdout


def test_push_clone_pull_through_s3_reproduces_without_rerunning(endpoint, committed,
                                                                   tmp_path):
    author = _author(tmp_path, committed)
    _use_s3(author, endpoint, author=True)
    dvc("push", "-r", "storage", cwd=author)
    reviewer = clone(tmp_path / "reviewer" / "selcomp")
    _use_s3(reviewer, endpoint)
    _review(reviewer, "storage")
    config = (reviewer / ".dvc" / "config").read_text()
    assert endpoint not in config  # the endpoint stays in config.local, never committed


@pytest.fixture(scope="module")
def local_store(committed, tmp_path_factory) -> Path:
    """The `local` remote (a folder) after an author pushed the committed outputs to it."""
    tmp = tmp_path_factory.mktemp("local")
    author = _author(tmp, committed)
    store = tmp / "remote"
    _use_local(author, store)
    dvc("push", "-r", "local", cwd=author)
    return store


def _use_local(repo: Path, store: Path) -> None:
    dvc("remote", "modify", "--local", "local", "url", str(store), cwd=repo)


def test_push_clone_pull_through_the_local_remote(local_store, tmp_path):
    reviewer = clone(tmp_path / "reviewer" / "selcomp")
    _use_local(reviewer, local_store)
    _review(reviewer, "local")
    # what a reviewer is told when a number or a figure no longer matches its record
    numbers = reviewer / "manuscript" / "generated" / "numbers.tex"
    text = numbers.read_text()
    first = next(line for line in text.splitlines() if line.startswith("\\newcommand"))
    numbers.unlink()  # a pulled file is a link into the cache: replace it, never write into it
    numbers.write_text(text.replace(first, first[:first.rindex("{") + 1] + "999}"))
    figure = sorted((reviewer / "figures").glob("*.pdf"))[0]
    figure.unlink()
    figure.write_bytes(b"%PDF-1.4 not the figure")
    failed = run([sys.executable, "-m", "analysis", "verify"], reviewer, check=False)
    assert failed.returncode == 1, failed.stdout
    name = first[len("\\newcommand{\\"):first.index("}")]
    assert f"\\{name}: PDF '999'" in failed.stdout, failed.stdout
    assert f"figures/{figure.name}: STALE" in failed.stdout, failed.stdout
    assert "NOT VERIFIED" in failed.stdout


def test_a_damaged_object_on_the_remote_fails_the_pull_naming_the_file(endpoint, committed,
                                                                        tmp_path):
    author = _author(tmp_path, committed)
    _use_s3(author, endpoint, "damaged", author=True)
    dvc("push", "-r", "storage", PDF, cwd=author)
    s3 = client(endpoint)
    md5 = _md5(ROOT / PDF)
    key = f"damaged/files/md5/{md5[:2]}/{md5[2:]}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"not the manuscript", ACL="public-read")
    reviewer = clone(tmp_path / "reviewer" / "selcomp")
    _use_s3(reviewer, endpoint, "damaged")
    pulled = dvc("pull", "-r", "storage", PDF, cwd=reviewer, check=False)
    assert pulled.returncode != 0
    assert PDF in pulled.stdout + pulled.stderr
    assert not (reviewer / PDF).exists() or _md5(reviewer / PDF) == md5  # never the damage


def test_a_variant_after_a_pull_reruns_no_extraction_and_is_shared(local_store, tmp_path):
    """A reviewer pulls and runs the bottom of the paper's threshold range as the README says
    (`python -m analysis variant -S threshold=3`, an experiment): exactly the stages that
    depend on the threshold rerun, from the pulled intermediates (no data preparation, no
    network stage). The reviewer shares it (`dvc exp push` to a git remote and the DVC
    remote); a colleague pulls it (`dvc exp pull`, `dvc exp apply`) and has its outputs
    without running a stage."""
    reviewer = clone(tmp_path / "reviewer" / "selcomp")
    _use_local(reviewer, local_store)
    dvc("pull", "-r", "local", cwd=reviewer)
    dependents = run([sys.executable, "-m", "scripts.threshold_dependents"], reviewer)
    variant = run([sys.executable, "-m", "analysis", "variant", "-S", "threshold=3", "--",
                   "-n", "threshold3"], reviewer)
    ran = ran_stages(variant.stdout + variant.stderr)
    assert ran == dependents.stdout.split(), ran
    assert "extract@effnet_lite0" not in ran and "prepare-brain" not in ran
    print(run([sys.executable, "-m", "scripts.variant_summary"], reviewer).stdout)
    # DVC's own table: the committed run and the variant side by side, headline metrics numeric
    shown = pd.read_csv(io.StringIO(dvc("exp", "show", "--csv", cwd=reviewer).stdout))
    committed = shown[(shown["typ"] == "baseline") & (shown["rev"] != "workspace")].iloc[0]
    variant_row = shown[shown["Experiment"] == "threshold3"].iloc[0]
    gap, p = "comparison.FFA.univariate.gap", "comparison.FFA.univariate.p"
    assert variant_row["threshold"] == 3 and committed["threshold"] != 3
    assert variant_row[gap] != committed[gap]
    assert pd.api.types.is_float_dtype(shown[p]), shown[p]
    print(pd.DataFrame([committed, variant_row])[["rev", "threshold", gap, p]].to_string())

    share = tmp_path / "share.git"
    run(["git", "init", "--quiet", "--bare", str(share)], tmp_path)
    run(["git", "remote", "add", "share", str(share)], reviewer)
    dvc("exp", "push", "share", "threshold3", "-r", "local", cwd=reviewer)
    colleague = clone(tmp_path / "colleague" / "selcomp")
    _use_local(colleague, local_store)
    run(["git", "remote", "add", "share", str(share)], colleague)
    dvc("exp", "pull", "share", "threshold3", "-r", "local", cwd=colleague)
    dvc("exp", "apply", "threshold3", cwd=colleague)
    assert "up to date" in dvc("status", cwd=colleague).stdout
    assert re.search(r"^threshold: 3\b", (colleague / "params.yaml").read_text(), re.M)
    for out in ("results/results.json", PDF):
        assert _md5(colleague / out) == _md5(reviewer / out), out
    assert _md5(colleague / PDF) != _md5(ROOT / PDF)  # the variant's, not the committed one
