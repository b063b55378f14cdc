"""The voxel-wise encoding models (Finding 4): are a layer's category-selective units necessary
or sufficient to predict the brain? (see stage.py)."""
