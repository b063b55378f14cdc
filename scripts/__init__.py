"""Pipeline and CI tools run from the repository root (``python -m scripts.<name>``):
``code_deps`` (each stage's code deps = its import closure; ``--fix`` rewrites dvc.yaml),
``compare_locks`` (output hashes of two dvc.lock files), ``threshold_dependents`` (the stages a
threshold change reruns), ``variant_summary`` (a run's headline numbers). ``check_env.py`` and
``system-packages.sh`` are run as files by the Makefile and the Dockerfile."""
