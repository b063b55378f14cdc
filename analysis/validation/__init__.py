"""Simulated worlds with a known answer, run through the comparison's own code (the validation
stage and the statistics' tests)."""
