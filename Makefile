# Two commands on a fresh machine (see README): `make repro` runs the pipeline on the demo
# data, `make test` runs the tests. Both create the environment from the lock file first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.lock-$(shell sha256sum requirements.lock | cut -c1-16)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export SOURCE_DATE_EPOCH ?= 1780012800
export DVC_NO_ANALYTICS := 1

.PHONY: env system repro update dry explore test test-slow test-integration test-nsd-import dag audit verify lint lock benchmark clean-env

env: $(STAMP)

# Exact versions and hashes from requirements.lock (the Dockerfile installs the same file),
# compiled to bytecode at install: stages start seconds faster (and PYTHONDONTWRITEBYTECODE,
# set in the container, would otherwise recompile every import in every stage).
UV_INSTALL := $(VENV)/bin/uv pip install --quiet --require-hashes --compile-bytecode \
  --python $(VENV)/bin/python -r requirements.lock
$(STAMP): requirements.lock requirements-bootstrap.txt pyproject.toml scripts/check_env.py
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), \
	  f"selcomp needs Python 3.11 (the container uses 3.11 too), found {sys.version.split()[0]}"'
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --require-hashes -r requirements-bootstrap.txt
	$(UV_INSTALL)
	@# checked (scripts/check_env.py); an install that ended without installing is tried again once
	$(VENV)/bin/python scripts/check_env.py requirements.lock || { $(UV_INSTALL) && \
	  $(VENV)/bin/python scripts/check_env.py requirements.lock; }
	$(VENV)/bin/uv pip install --quiet --python $(VENV)/bin/python --no-deps -e .
	rm -f $(VENV)/.lock-* && touch $@

# Debian packages (LaTeX with lmodern, git, ...) from packages-debian.txt, checked by what the
# build needs (kpsewhich finds every LaTeX file); installed when run as root, else named.
system:
	@bash scripts/system-packages.sh install

# Recompute every figure, table and number from the inputs: every stage runs (--force), also
# those whose committed results already match dvc.lock (about 11 minutes for the demo on 2 cores).
repro: env system
	dvc repro --force $(DVC_ARGS)

# Bring the outputs up to date after a change: only the stages whose code, parameters or inputs
# changed run (on a fresh clone nothing does: the committed results match dvc.lock).
update: env system
	dvc repro $(DVC_ARGS)

# The interactive explorers only (explorer/index.html; open it in a browser, no server needed),
# with whatever stages upstream of them are out of date.
explore: env system
	dvc repro explore $(DVC_ARGS)

# The stages `make repro` would run, without running them (a plain `dvc repro --dry` fails on a
# fresh clone: DVC hashes the missing upstream outputs, treeverse/dvc#9818).
dry: env
	dvc repro --dry --force

# The fast tier (minutes); the Monte-Carlo calibration tests (over 10 s each, marked slow) run
# with `make test-slow`, the integration tier with `make test-integration` (CI runs all three).
# Neither runs a hypothesis test, so neither loads its plugin (which imports hypothesis, 1.8 s,
# to write its summary). It needs the Debian packages too: the explorer's tests drive Chromium.
test: env system
	python -m pytest -m "not slow and not integration and not nsd_import" -n auto -p no:hypothesispytest

test-slow: env
	python -m pytest -m slow -n auto -p no:hypothesispytest

# The property-based parameter sweep and the DVC-level safety checks (a few minutes; they read
# the demo outputs, so run them after `make repro`; CI does).
test-integration: env
	python -m pytest -m integration -rP --durations=8

# NSD's bucket through dvc import-url, on a local S3 server filled with the demo's NSD copy: the
# nsd tier end to end on the imported files, then dvc update after a file changes (~25 minutes).
test-nsd-import: env
	python -m pytest -m nsd_import -rP --durations=0

# A reviewer's check (README, "Reviewers"): pull what is missing (REMOTE=<name> pulls from that
# remote), then every output, figure, the PDF and its numbers against their records.
verify: env
	python -m analysis verify $(if $(REMOTE),--remote $(REMOTE))

# The pipeline, one line per stage (STAGE=<name> for what leads to one stage).
dag: env
	@python -m analysis dag $(STAGE)

# Where a pipeline output comes from, and whether it is up to date.
audit: env
	python -m analysis audit $(or $(FILE),figures/figure3_human_vs_network.pdf)

lint: env
	ruff check analysis tests benchmarks scripts
	mypy
	hadolint Dockerfile

# Regenerate the lock after editing the dependencies in pyproject.toml.
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --generate-hashes \
	  --python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements.lock

benchmark: env
	python -m benchmarks

clean-env:
	rm -rf $(VENV)
