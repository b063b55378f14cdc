"""The ground floor's shared names: what every layer may say without importing a layer that
computes or stores things (tests/test_layers.py enforces the order).

* ``FLOC_DOMAINS``: the fLOC domain contrasts (each domain against the other domains), also the
  canonical list and order of the categories the analyses select for (config.DOMAINS); NSD
  ships a t-map per domain.
* ``AGGREGATIONS``: the kernel summaries stored beside a network's units: mean, L2 norm and max
  over positions / tokens.
* ``POOLED_TRAINED`` / ``POOLED_UNTRAINED``: the labels of the trained and of the untrained
  networks pooled in a human-network summary (never pooled with each other).
* ``POSITIVE_CONTROL`` / ``NEGATIVE_CONTROL``: the model names of the controls every analysis
  runs like a network (analysis.io.controls builds them): a system that should match and the
  same system with its images shuffled.
"""

from __future__ import annotations

FLOC_DOMAINS = ("faces", "bodies", "places", "characters", "objects")
AGGREGATIONS = ("mean", "l2", "max")
POOLED_TRAINED = "pooled_trained"
POOLED_UNTRAINED = "pooled_untrained"
POSITIVE_CONTROL = "positive_control"
NEGATIVE_CONTROL = "negative_control"
