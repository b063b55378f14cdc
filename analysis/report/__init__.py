"""Reporting: number formatting, the results file, figures, macros, manuscript, provenance."""
