"""Stimulus-level divergences and the diagnostic tests (Finding 5): the tables (compute.py),
their summary (summary.py), the stage (stage.py), Figure 6 (figure.py, drawn by the
figures-divergence stage)."""
