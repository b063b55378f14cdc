# selcomp research compendium. Build:  docker build -t selcomp .
# Run the whole pipeline (GPU optional):  docker run --gpus all --rm -v "$PWD:/work/selcomp" selcomp
#
# The torch 2.14.1 wheels in requirements.lock are CUDA 13.0 builds that bring their own CUDA
# libraries, so the small `base` flavour of the CUDA image is enough. Pinned by digest.
FROM nvidia/cuda:13.0.0-base-ubuntu22.04@sha256:c08986c5ea16a41bba86f4ac08b327861c7b7d05dee7fae0648dcf0e964bf6e4

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_INSTALL_DIR=/opt/python \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    SOURCE_DATE_EPOCH=1780012800 \
    DVC_NO_ANALYTICS=1

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# The Debian packages of packages-debian.txt (git for DVC, pip to bootstrap uv, LaTeX with
# lmodern for the manuscript), installed by the same script as `make` and CI use.
COPY packages-debian.txt /opt/selcomp/
COPY scripts/system-packages.sh /opt/selcomp/scripts/
RUN bash /opt/selcomp/scripts/system-packages.sh install \
    && rm -rf /var/lib/apt/lists/*

# The same bootstrap and lock files as the local install (Makefile): uv with hashes, then
# CPython 3.11.7 (the local minor version) and every package at its locked version and hash.
COPY requirements-bootstrap.txt requirements.lock /opt/selcomp/
COPY scripts/check_env.py /opt/selcomp/scripts/
RUN python3 -m pip install --no-cache-dir --require-hashes -r /opt/selcomp/requirements-bootstrap.txt \
    && uv python install 3.11.7 \
    && uv venv --python 3.11.7 /opt/venv \
    && uv pip install --no-cache --require-hashes --compile-bytecode --python /opt/venv/bin/python \
       -r /opt/selcomp/requirements.lock \
    && /opt/venv/bin/python /opt/selcomp/scripts/check_env.py /opt/selcomp/requirements.lock

RUN useradd --create-home --uid 1000 scientist
WORKDIR /work/selcomp
COPY --chown=scientist:scientist . /work/selcomp
RUN uv pip install --no-cache --no-deps --python /opt/venv/bin/python -e . \
    && git config --system --add safe.directory /work/selcomp
USER 1000:1000

CMD ["dvc", "repro", "--force"]
