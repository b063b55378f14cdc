"""The compendium against remote storage, for real: a local S3-compatible server (moto's server
mode, on 127.0.0.1 and a free port) talks to DVC's own S3 remote code (dvc-s3) over HTTP.

An author pushes the demo's outputs; a reviewer clones the repository afresh and pulls: then
`dvc status` is clean, `dvc repro` runs no stage, the audit finds every figure UP TO DATE and
the PDF is byte-identical to the pushed one. The same through the `local` remote. An object
damaged on the remote fails the pull, naming the file, and is never checked out.

The remote's URL, endpoint and credentials are set with `dvc remote modify --local` (in
.dvc/config.local, never committed). Marked integration: it needs the demo's outputs in this
checkout's cache (`make repro`) and pushes them (about a minute).
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration
BUCKET = "selcomp-test"
#: Credentials the server accepts (any); set in the environment, as an author's would be.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}
PDF = "manuscript/selcomp.pdf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 with an empty bucket; stopped after the module. Its log
    (a line per request) goes to a file: a pipe nobody reads would fill and stall it."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                   "-p", str(port)], stdout=sink, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"moto server exited: {log.read_text()}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError(f"moto server did not answer on {url}")
        import boto3

        boto3.client("s3", endpoint_url=url, **_boto_credentials()).create_bucket(Bucket=BUCKET)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _boto_credentials() -> dict[str, str]:
    return {"aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "region_name": CREDENTIALS["AWS_DEFAULT_REGION"]}


def _run(cmd: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, **CREDENTIALS, "DVC_NO_ANALYTICS": "1"}
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout}\n{done.stderr}")
    return done


def _dvc(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "dvc", *args], cwd, check)


def _clone(dest: Path) -> Path:
    """A fresh clone of this repository's committed state, beside a link to ../shared."""
    _run(["git", "clone", "--quiet", str(ROOT), str(dest)], ROOT)
    shared = ROOT.parent / "shared"
    if shared.exists() and not (dest.parent / "shared").exists():
        (dest.parent / "shared").symlink_to(shared)
    return dest


def _use_s3(repo: Path, url: str, prefix: str = "dvc-cache", author: bool = False) -> None:
    """Point ``repo``'s `storage` remote at the endpoint. A reviewer reads anonymously, as
    the committed config says (a public bucket); an author signs with the credentials in
    the environment and makes what it pushes publicly readable."""
    _dvc("remote", "modify", "--local", "storage", "url", f"s3://{BUCKET}/{prefix}", cwd=repo)
    _dvc("remote", "modify", "--local", "storage", "endpointurl", url, cwd=repo)
    if author:
        _dvc("remote", "modify", "--local", "storage", "allow_anonymous_login", "false",
             cwd=repo)
        _dvc("remote", "modify", "--local", "storage", "acl", "public-read", cwd=repo)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def committed(tmp_path_factory) -> Path:
    """The committed state, its outputs present: skips when this checkout's workspace or
    cache does not hold what dvc.lock records (run `make repro` first)."""
    status = _dvc("status", "--json", cwd=ROOT, check=False)
    if status.returncode != 0 or status.stdout.strip() not in ("{}", ""):
        pytest.skip("the workspace does not match dvc.lock: run `make repro` first")
    if _run(["git", "status", "--porcelain", "--untracked-files=no"], ROOT).stdout.strip():
        pytest.skip("uncommitted changes: the test clones the committed state")
    return ROOT


def _author(tmp: Path, committed: Path) -> Path:
    """A clone whose cache is this checkout's (it holds every output dvc.lock records)."""
    author = _clone(tmp / "author" / "selcomp")
    _dvc("config", "--local", "cache.dir", str(committed / ".dvc" / "cache"), cwd=author)
    return author


def _review(repo: Path, remote: str) -> None:
    """A reviewer's checks after `dvc pull`: clean status, no stage rerun, every figure's
    audit UP TO DATE, and the PDF byte-identical to the author's."""
    _dvc("pull", "-r", remote, cwd=repo)
    assert "up to date" in _dvc("status", cwd=repo).stdout
    again = _dvc("repro", cwd=repo)
    assert "Running stage" not in again.stdout, again.stdout
    figures = sorted(p.relative_to(repo).as_posix() for p in (repo / "figures").glob("*.pdf"))
    assert len(figures) >= 9, figures
    for figure in figures:
        audit = _run([sys.executable, "-m", "analysis", "audit", figure], repo)
        assert "Status: UP TO DATE" in audit.stdout, audit.stdout
    assert _md5(repo / PDF) == _md5(ROOT / PDF)
    verified = _run([sys.executable, "-m", "analysis", "verify"], repo)
    assert "VERIFIED: every output, figure and number" in verified.stdout, verified.stdout


def test_push_clone_pull_through_s3_reproduces_without_rerunning(endpoint, committed,
                                                                   tmp_path):
    author = _author(tmp_path, committed)
    _use_s3(author, endpoint, author=True)
    _dvc("push", "-r", "storage", cwd=author)
    reviewer = _clone(tmp_path / "reviewer" / "selcomp")
    _use_s3(reviewer, endpoint)
    _review(reviewer, "storage")
    config = (reviewer / ".dvc" / "config").read_text()
    assert endpoint not in config  # the endpoint stays in config.local, never committed


def test_push_clone_pull_through_the_local_remote(committed, tmp_path):
    author = _author(tmp_path, committed)
    store = tmp_path / "remote"
    _dvc("remote", "modify", "--local", "local", "url", str(store), cwd=author)
    _dvc("push", "-r", "local", cwd=author)
    reviewer = _clone(tmp_path / "reviewer" / "selcomp")
    _dvc("remote", "modify", "--local", "local", "url", str(store), cwd=reviewer)
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
    failed = _run([sys.executable, "-m", "analysis", "verify"], reviewer, check=False)
    assert failed.returncode == 1, failed.stdout
    name = first[len("\\newcommand{\\"):first.index("}")]
    assert f"\\{name}: PDF '999'" in failed.stdout, failed.stdout
    assert f"figures/{figure.name}: STALE" in failed.stdout, failed.stdout
    assert "NOT VERIFIED" in failed.stdout


def test_a_damaged_object_on_the_remote_fails_the_pull_naming_the_file(endpoint, committed,
                                                                        tmp_path):
    import boto3

    author = _author(tmp_path, committed)
    _use_s3(author, endpoint, "damaged", author=True)
    _dvc("push", "-r", "storage", PDF, cwd=author)
    s3 = boto3.client("s3", endpoint_url=endpoint, **_boto_credentials())
    md5 = _md5(ROOT / PDF)
    key = f"damaged/files/md5/{md5[:2]}/{md5[2:]}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"not the manuscript", ACL="public-read")
    reviewer = _clone(tmp_path / "reviewer" / "selcomp")
    _use_s3(reviewer, endpoint, "damaged")
    pulled = _dvc("pull", "-r", "storage", PDF, cwd=reviewer, check=False)
    assert pulled.returncode != 0
    assert PDF in pulled.stdout + pulled.stderr
    assert not (reviewer / PDF).exists() or _md5(reviewer / PDF) == md5  # never the damage
