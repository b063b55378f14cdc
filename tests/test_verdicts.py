"""Verdict sentences (analysis/report/verdicts.py) follow the numbers: every region below the
ceiling, some not, none comparable."""

from analysis.report.verdicts import ceiling_verdict


def _c(gap, low, high):
    return {"gap": gap, "gap_ci_low": low, "gap_ci_high": high}


def _table(**rows):
    return {f"{key.replace('_uni', '_univariate').replace('_multi', '_multivariate')}_published":
            value for key, value in rows.items()}


def test_every_region_below_the_ceiling_is_said_with_the_gaps_range():
    comparison = _table(FFA_uni=_c(0.35, 0.23, 0.49), EBA_uni=_c(0.18, 0.12, 0.24),
                        FFA_multi=_c(0.69, 0.5, 0.9), EBA_multi=_c(0.48, 0.35, 0.63))
    verdict = ceiling_verdict(comparison, ["FFA", "EBA"], 95)
    assert verdict == ("fell below the human-human ceiling in every main region (FFA and EBA) "
                       "with both measures (univariate gap 0.18 to 0.35; multivariate gap 0.48 "
                       "to 0.69, bias-corrected, every 95\\,\\% interval above zero)")


def test_a_region_whose_interval_reaches_zero_is_named_with_its_interval():
    comparison = _table(FFA_uni=_c(0.35, 0.23, 0.49), EBA_uni=_c(0.02, -0.03, 0.07),
                        FFA_multi=_c(0.69, 0.5, 0.9), EBA_multi=_c(0.48, 0.35, 0.63))
    verdict = ceiling_verdict(comparison, ["FFA", "EBA"], 90)
    assert verdict.startswith("fell below the human-human ceiling in FFA (univariate) and "
                              "FFA and EBA (multivariate)")
    assert "but not in EBA (univariate: gap 0.02, 90\\,\\% interval \\ensuremath{-}0.03 to "\
           "0.07)" in verdict
    assert "every" not in verdict


def test_no_region_below_the_ceiling_is_a_sentence_too():
    comparison = _table(FFA_uni=_c(0.02, -0.03, 0.07), FFA_multi=_c(-0.1, -0.2, -0.05))
    assert ceiling_verdict(comparison, ["FFA"], 95) == (
        "did not fall below the human-human ceiling in FFA (univariate: gap 0.02, 95\\,\\% "
        "interval \\ensuremath{-}0.03 to 0.07) and FFA (multivariate: gap \\ensuremath{-}0.10, "
        "95\\,\\% interval \\ensuremath{-}0.20 to \\ensuremath{-}0.05)")


def test_nothing_comparable_says_so():
    assert ceiling_verdict({}, ["FFA"], 95) == (
        "could not be compared with the human-human ceiling in any main region")
    partial = _table(FFA_uni=_c(0.35, 0.23, 0.49))
    assert ceiling_verdict(partial, ["FFA"], 95).endswith(
        "but could not be compared in FFA (multivariate)")


def _gen(**flags):
    return {f"net{i}/{cat}": {"trained": True, "equal_k": {"beyond_untrained": flag}}
            for cat, fl in flags.items() for i, flag in enumerate(fl)}


def test_untrained_verdict_names_the_categories_each_way():
    from analysis.report.verdicts import untrained_verdict
    cats = ["faces", "bodies", "places"]
    assert untrained_verdict(_gen(faces=[True], bodies=[True], places=[True]), cats) == (
        "went beyond the matched untrained networks on the independent image set for every "
        "category (faces, bodies and places)")
    mixed = untrained_verdict(_gen(faces=[False], bodies=[True], places=[False]), cats)
    assert mixed == ("went beyond the matched untrained networks on the independent image set "
                     "for bodies, but not for faces and places")
    assert untrained_verdict(_gen(faces=[False], bodies=[False], places=[None]), cats) == (
        "did not go beyond the matched untrained networks on the independent image set for any "
        "category (faces and bodies), but could not be tested for places")
    two = untrained_verdict(_gen(faces=[True, False], bodies=[True, True], places=[True, True]),
                            cats)
    assert "faces (1 of 2 trained networks)" in two
    assert untrained_verdict({}, cats).startswith("could not be compared")


def test_consistency_sentence_gives_the_range_over_main_regions():
    from analysis.report.verdicts import consistency_sentence
    comparison = _table(FFA_uni={"hh": 0.99}, EBA_uni={"hh": 1.01}, FFA_multi={"hh": 0.96})
    assert consistency_sentence(comparison, ["FFA", "EBA"]) == (
        "agreed between subjects at a noise-corrected similarity of 0.99 to 1.01 (univariate) "
        "and 0.96 (multivariate) in the main regions (FFA and EBA)")
