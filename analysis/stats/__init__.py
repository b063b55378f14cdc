"""The core analyses' statistics over arrays and tables, built on analysis.methods: the
human-human vs human-network comparison and its inference and controls, the robustness sweep,
the systems map, the 92-image RSA, localizer comparisons and tables, selectivity metrics, and the
divergence methods the validation shares. Pure functions; no file I/O."""
