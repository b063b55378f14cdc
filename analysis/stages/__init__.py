"""One module per DVC stage: ``run(args)`` reads parameters, calls library code, writes outputs.

Keeping each stage in its own file lets dvc.yaml name exactly the code a stage depends on.
"""
