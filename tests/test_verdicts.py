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


def test_nothing_comparable_says_so():
    assert ceiling_verdict({}, ["FFA"], 95) == (
        "could not be compared with the human-human ceiling in any main region")
    partial = _table(FFA_uni=_c(0.35, 0.23, 0.49))
    assert ceiling_verdict(partial, ["FFA"], 95).endswith(
        "but could not be compared in FFA (multivariate)")
