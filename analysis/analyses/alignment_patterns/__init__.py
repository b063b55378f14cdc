"""The alignment-pattern analysis (companion): cross-region alignment patterns of brains and
networks, and models ranked by conventional score and by pattern agreement (see stage.py)."""
