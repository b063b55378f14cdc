"""The reviewer's verdict (analysis.report.verify): macros parsed back from numbers.tex, a
figure is stale when it or its stage is named, the verdict lists what differs (at most a
screenful) and fails on any difference. The whole command runs on pulled clones in
tests/test_remote.py."""

from analysis.report.macros import numbers_tex
from analysis.report.verify import SHOWN, Check, figure_check, parse_macros, verdict


def test_macros_parse_back_from_numbers_tex():
    macros = {"resGap": "0.12", "resOrigin": "synthetic (written by simulate)", "resN": "8"}
    assert parse_macros(numbers_tex(macros)) == macros


def test_a_figure_is_stale_when_it_or_its_stage_is_named():
    recorded = {"figures/a.pdf": ("figures-a", "1"), "figures/b.pdf": ("figures-b", "2"),
                "figures/a.png": ("figures-a", "3"), "manuscript/selcomp.pdf": ("manuscript", "4")}
    ok = figure_check(recorded, [])
    assert not ok.problems and ok.summary.startswith("3 of 3 UP TO DATE")
    stale = figure_check(recorded, ["figures/b.pdf (figures-b): differs from dvc.lock",
                                    "stage manuscript: changed deps"])
    assert stale.problems == ["figures/b.pdf: STALE", "manuscript/selcomp.pdf: STALE"]


def test_verdict_names_what_differs_and_fails_on_any_difference():
    text, ok = verdict([Check("pull", "not needed"), Check("macros", "2 in the PDF")])
    assert ok and text.splitlines()[-1].startswith("VERIFIED")
    many = [f"\\resX{k}: PDF '1', results.json '2'" for k in range(SHOWN + 3)]
    text, ok = verdict([Check("pull", "not needed"), Check("macros", "11 in the PDF", many)])
    assert not ok and "  macros   FAIL 11 in the PDF" in text
    assert many[0] in text and many[-1] not in text and "... and 3 more" in text
    assert text.splitlines()[-1].startswith("NOT VERIFIED")
