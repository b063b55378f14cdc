"""Command line: ``python -m analysis <command> [args]``; each DVC stage is one command.

Commands read params.yaml from the working directory (the repository root) and validate all of
it before touching any data. A command's module is imported only when that command runs, so
light commands (results, macros, audit) never import torch.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys

from analysis import registry
from analysis.errors import InputError, ParameterError

#: command -> (module, one-line help): the compendium's stages (analysis.stages), the
#: registered analyses' (analysis.registry) and the tools.
COMMANDS = {
    "simulate": ("analysis.stages.simulate", "write the synthetic miniature NSD (demo data)"),
    "prepare-brain": ("analysis.stages.prepare_brain",
                      "NSD-format betas -> per-subject ROI response stores"),
    "select-voxels": ("analysis.stages.select_voxels",
                      "category-selective voxels: fLOC t > threshold"),
    "stimuli": ("analysis.stages.stimuli", "materialise the tier's stimulus sets"),
    "nsd-images": ("analysis.stages.nsd_images", "read the shared NSD images from the brick"),
    "preprocess": ("analysis.stages.preprocess",
                   "decode, resize and crop every set for one preprocessing config"),
    "extract": ("analysis.stages.extract", "activations of one zoo model on every set"),
    "localize-units": ("analysis.stages.localize_units",
                       "unit localizer t-values of every model (threshold-free)"),
    "select-units": ("analysis.stages.select_units",
                     "selective units at the threshold: counts, overlap, generalisation"),
    "lesion": ("analysis.stages.lesion", "kernel lesions ranked by identity-decoding loss"),
    "selectivity-metrics": ("analysis.stages.selectivity_metrics",
                            "FSI, d', rank-sum, pairwise t: consistency, lesions, decoding"),
    "figures-network": ("analysis.stages.figures_network", "Figure 2 and Supplementary Figure S1"),
    "compare": ("analysis.stages.compare", "human-human vs human-network similarity"),
    "robustness": ("analysis.stages.robustness",
                   "the HH - HN gap over thresholds, localizers and regions"),
    "systems-map": ("analysis.stages.systems_map",
                    "similarity matrix of all subjects and networks, with MDS"),
    "rsa92": ("analysis.stages.rsa92", "the comparison on the real 92-image human-IT RDMs"),
    "figures-brain": ("analysis.stages.figures_brain", "Figures 3 and 4"),
    "figures-profiles": ("analysis.stages.figures_profiles",
                         "Figure 1: response profiles and image RDMs"),
    "annotate": ("analysis.stages.annotate",
                 "the shared images' annotation table (generator, COCO, hand labels)"),
    "figures-divergence": ("analysis.stages.figures_divergence", "Figure 6"),
    "figures-companion": ("analysis.stages.figures_companion",
                          "Supplementary Figures S3 (alignment patterns) and S4 "
                          "(out-of-domain decoding)"),
    "figures-encoding": ("analysis.stages.figures_encoding",
                         "Figure 5 and Supplementary Figure S2"),
    **{c: v for a in registry.analyses() for c, v in a.commands().items()},
    "validate": ("analysis.stages.validate",
                 "the comparison's inference and controls on simulated worlds"),
    "planted-truth": ("analysis.stages.planted_truth",
                      "the synthetic tiers' planted truth beside what the pipeline recovers"),
    "results": ("analysis.stages.results", "every stage's key numbers in results/results.json"),
    "reports": ("analysis.stages.reports",
                "DVC's reports: headline metrics, plot tables and their offline page"),
    "explore": ("analysis.stages.explore",
                "the interactive explorers: explorer/index.html, one offline page"),
    "macros": ("analysis.stages.macros", "LaTeX numbers, tables and the reproduction report"),
    "manuscript": ("analysis.stages.manuscript",
                   "check and build manuscript/selcomp.pdf; the figure manifest"),
    "variant": ("analysis.variant",
                "dvc exp run -S, values validated first, params.yaml restored on failure"),
    "audit": ("analysis.report.audit",
              "trace a pipeline output to its stage, inputs and parameters; is it up to date?"),
    "dag": ("analysis.report.dag", "the pipeline graph, one line per stage and its inputs"),
    "nsd-manifest": ("analysis.io.nsd.write_manifest",
                     "sha256 manifest of a local NSD copy, checked before reading"),
    "nsd-import": ("analysis.io.nsd.import_copy",
                   "dvc import-url every NSD file the pipeline reads (nsd tier)"),
    "verify": ("analysis.report.verify",
               "a reviewer's check: outputs, figures, PDF and numbers against their records"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default="params.yaml", help="parameter file")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    modules = {}
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name in argv:  # import only the command that runs (torch is slow to import)
            modules[name] = importlib.import_module(module)
            if hasattr(modules[name], "add_arguments"):
                modules[name].add_arguments(p)
    args = parser.parse_args(argv)
    try:
        modules[args.command].run(args)
    except KeyboardInterrupt:  # outputs are moved into place only when complete
        print(f"interrupted: '{args.command}' stopped; its outputs are as they were",
              file=sys.stderr)
        return 130
    except (InputError, ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:  # an input another stage makes is absent
        print(f"error: {exc.filename} not found: run `dvc repro` (it makes every input of "
              f"'{args.command}'), or `dvc repro {args.command}` for this stage and those "
              "before it", file=sys.stderr)
        return 2
    except PermissionError as exc:
        print(f"error: '{args.command}' may not write {exc.filename}: make it writable "
              "(chmod -R u+w on the folder) or work in a clone you own", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        print(f"error: no space left on the device writing {exc.filename or 'an output'} "
              f"('{args.command}'): free space there (e.g. `dvc gc -w`) and rerun; the "
              "previous outputs are untouched", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
