"""Readers for the Natural Scenes Dataset's real on-disk formats (see ../shared/NSD_FORMAT.md).

The demo generator (``analysis.demo``) writes these same formats, so one code path serves the
synthetic miniature NSD and the real one.
"""
