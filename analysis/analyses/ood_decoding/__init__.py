"""Out-of-domain linear decoding with unit-count matching (companion analysis): the domain
images and every system's responses (domains_stage.py), the decoding (stage.py)."""
