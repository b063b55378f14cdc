"""Verdict sentences (analysis/report/verdicts.py) follow the numbers: every region below the
ceiling, some not, some above it, none comparable, no trained network; the subjects' agreement
from the regions that gave one; beyond untrained networks per category, with several networks
counted."""

from analysis.report.verdicts import ceiling_sentence, consistency_sentence, untrained_sentence

ONE = "the trained network"


def _c(gap, low, high):
    return {"gap": gap, "gap_ci_low": low, "gap_ci_high": high}


def _table(**rows):
    return {f"{key.replace('_uni', '_univariate').replace('_multi', '_multivariate')}_published":
            value for key, value in rows.items()}


def test_every_region_below_the_ceiling_is_said_with_the_gaps_range():
    comparison = _table(FFA_uni=_c(0.35, 0.23, 0.49), EBA_uni=_c(0.18, 0.12, 0.24),
                        FFA_multi=_c(0.69, 0.5, 0.9), EBA_multi=_c(0.48, 0.35, 0.63))
    assert ceiling_sentence(comparison, ["FFA", "EBA"], "95", ONE, 1) == (
        "The category-selective units of the trained network fell below the human-human ceiling "
        "in every main region (FFA and EBA) with both measures (univariate gap 0.18 to 0.35; "
        "multivariate gap 0.48 to 0.69, bias-corrected, every 95\\,\\% interval above zero).")


def test_regions_not_below_and_above_the_ceiling_are_named_with_their_intervals():
    comparison = _table(FFA_uni=_c(0.35, 0.23, 0.49), EBA_uni=_c(0.02, -0.03, 0.07),
                        FFA_multi=_c(0.30, 0.2, 0.4), EBA_multi=_c(0.30, 0.25, 0.35))
    sentence = ceiling_sentence(comparison, ["FFA", "EBA"], "90", ONE, 1)
    assert sentence.startswith(
        "The category-selective units of the trained network fell below the human-human ceiling "
        "in FFA (univariate); FFA and EBA (multivariate) (univariate gap 0.35; multivariate gap "
        "0.30, bias-corrected); were not shown to be below it in EBA (univariate: gap 0.02, "
        "90\\,\\% interval \\ensuremath{-}0.03 to 0.07)")
    assert "every" not in sentence
    above = _table(FFA_uni=_c(-0.1, -0.2, -0.05), FFA_multi=_c(0.01, -0.1, 0.1))
    assert ceiling_sentence(above, ["FFA"], "95", ONE, 1) == (
        "The category-selective units of the trained network were not shown to be below the "
        "human-human ceiling in FFA (multivariate: gap 0.01, 95\\,\\% interval \\ensuremath{-}0.10"
        " to 0.10); exceeded it in FFA (univariate: gap \\ensuremath{-}0.10, 95\\,\\% interval "
        "\\ensuremath{-}0.20 to \\ensuremath{-}0.05).")


def test_nothing_comparable_or_no_trained_network_says_so():
    assert ceiling_sentence({}, ["FFA"], "95", ONE, 1).endswith(
        "could not be compared with the human-human ceiling in any main region.")
    assert ceiling_sentence({}, ["FFA"], "95", "no trained network", 0) == (
        "No trained network was run, so none was compared with the human-human ceiling.")
    partial = _table(FFA_uni=_c(0.35, 0.23, 0.49))
    assert ceiling_sentence(partial, ["FFA"], "95", ONE, 1).endswith(
        "; could not be compared in FFA (multivariate).")


def _gen(**flags):
    return {f"net{i}/{cat}": {"trained": True, "equal_k": {"beyond_untrained": flag}}
            for cat, fl in flags.items() for i, flag in enumerate(fl)}


def test_untrained_sentence_names_the_categories_each_way():
    cats = ["faces", "bodies", "places"]
    subject = "The selective units of the trained network"
    where = "the matched untrained networks on the independent image set"
    assert untrained_sentence(_gen(faces=[True], bodies=[True], places=[True]), cats, ONE, 1) == (
        f"{subject} went beyond {where} for every category (faces, bodies and places).")
    mixed = untrained_sentence(_gen(faces=[False], bodies=[True], places=[False]), cats, ONE, 1)
    assert mixed == (f"{subject} went beyond {where} for bodies, but were not shown to do so for "
                     "faces and places.")
    assert untrained_sentence(_gen(faces=[False], bodies=[False], places=[None]), cats, ONE,
                              1) == (f"{subject} were not shown to go beyond {where} for any "
                                     "category tested (faces and bodies), but could not be tested "
                                     "for places.")
    assert untrained_sentence({}, cats, ONE, 1).startswith(f"{subject} could not be compared")
    assert untrained_sentence({}, cats, "no trained network", 0).startswith("No trained network")


def test_with_several_networks_a_category_counts_only_when_every_network_passes():
    two = untrained_sentence(_gen(faces=[True, False], bodies=[True, True], places=[True, True]),
                             ["faces", "bodies", "places"], "the trained networks", 2)
    assert "every category" not in two
    assert "for bodies, places and faces in 1 of 2 trained networks." in two


def test_consistency_sentence_names_only_the_regions_that_gave_a_value():
    comparison = _table(FFA_uni={"hh": 0.99}, EBA_uni={"hh": 0.97}, FFA_multi={"hh": 0.96},
                        PPA_uni={"hh": None})
    assert consistency_sentence(comparison, ["FFA", "EBA", "PPA"]) == (
        "Category-selective responses agreed between subjects at a noise-corrected similarity "
        "of 0.97 to 0.99 (univariate) and 0.96 (multivariate) in the main regions (FFA and EBA):"
        " this is the human-human ceiling a network is held to.")
    over = consistency_sentence(_table(FFA_uni={"hh": 1.05}), ["FFA"])
    assert "can exceed 1" in over
    assert consistency_sentence({}, ["FFA"]).startswith("The subjects could not be compared")


def _layer(necessary, not_needed, share, better):
    return {"univariate_rc": {"layer": {"necessary": necessary, "not_needed": not_needed,
                                        "sufficiency_share": share,
                                        "better_than_random": better}}}


def test_encoding_verdict_groups_regions_by_what_the_two_removal_tests_say():
    from analysis.analyses.encoding.report import verdict_sentence
    enc = {"models": ["a"], "pooled_trained": {
        "FFA": _layer(False, True, 0.99, False), "EBA": _layer(True, True, 1.01, True),
        "PPA": _layer(True, False, 0.6, True)}}
    s = verdict_sentence(enc, ["FFA", "OFA", "EBA", "PPA"])
    assert s.startswith("By the univariate accuracy of the encoding models of the trained "
                        "network, the selective units were not needed in FFA (removing them "
                        "cost less than the smallest effect of interest); needed only slightly "
                        "in EBA")
    assert "needed in PPA (removing them cost more than removing random units)." in s
    assert s.endswith("Alone they kept 0.60 to 1.01 of the all-unit accuracy, more than random "
                      "sets of the same size in EBA and PPA and no more than random sets in FFA.")
    undecided = verdict_sentence({"models": ["a", "b"], "pooled_trained": {
        "FFA": _layer(False, False, None, None)}}, ["FFA"])
    assert undecided == ("By the univariate accuracy of the encoding models of the trained "
                         "networks (pooled), the selective units were undecided in FFA (neither "
                         "test was conclusive).")
    assert "No encoding model" in verdict_sentence({}, ["FFA"])


def _system(kind, estimate, low, high):
    return {"kind": kind, "estimate": 0.5, "difference": {"estimate": estimate, "low": low,
                                                          "high": high}}


def test_divergence_verdict_says_where_the_brain_and_the_networks_differ():
    from analysis.analyses.divergence.report import verdict_sentence

    def region(*systems):
        return {"label_a": "human_face", "label_b": "animal_face", "brain": {"estimate": -0.1},
                "systems": {f"m{k}": s for k, s in enumerate(systems)}}

    ctrl = _system("control", 0.0, -0.1, 0.1)
    div = {"region_order": ["FFA", "EBA", "PPA"], "regions": {
        "FFA": region(_system("trained", -0.9, -1.5, -0.2), ctrl),
        "EBA": region(_system("trained", 0.1, -0.3, 0.5), _system("untrained", 2, 1, 3)),
        "PPA": region(ctrl)}}
    assert verdict_sentence(div) == (
        "The trained network's selective units differed from the brain on the pre-specified "
        "contrast in FFA (human face minus animal face: brain \\ensuremath{-}0.10, network 0.50; "
        "difference \\ensuremath{-}0.90, interval \\ensuremath{-}1.50 to \\ensuremath{-}0.20); "
        "they were not shown to differ from the brain in EBA; they could not be tested in PPA.")
    two = {"region_order": ["FFA"], "regions": {"FFA": region(
        _system("trained", -0.9, -1.5, -0.2), _system("trained", 0.1, -0.3, 0.5))}}
    assert verdict_sentence(two) == (
        "The trained networks' selective units differed from the brain for some networks in FFA "
        "(1 of 2 trained networks).")
