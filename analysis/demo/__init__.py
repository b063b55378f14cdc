"""The demo tier: a synthetic miniature NSD with a documented ground truth (all SYNTHETIC).

``images`` draws the stimuli procedurally, ``brain`` holds the generative model of voxel
responses, ``write`` stores both in NSD's real on-disk formats.
"""
