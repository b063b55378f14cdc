"""Reusable methods over arrays and tables, independent of any one analysis: localizer t
statistics, reliability and noise ceilings, similarity and profiles, kernels and ridge
regression (torch, CPU or GPU), cross-validated predictivity, linear decoding. Pure functions;
no file I/O; they import only the ground floor and each other."""
