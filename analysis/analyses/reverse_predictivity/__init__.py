"""Reverse predictivity (Muzellec & Kar): units from voxels, voxels from units, subject to
subject (see stage.py)."""
