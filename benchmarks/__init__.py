"""On-demand benchmarks (`make benchmark`); results are written to benchmarks/results/."""
