"""The manuscript check catches undefined macros and hand-typed numbers anywhere in the
document (marked literals, identifiers and the constants 0 and 1 outside Results allowed)."""

from pathlib import Path

from analysis.report.manuscript import check

NUMBERS = "\\newcommand{\\resFFAUniHH}{0.98}\n\\newcommand{\\resThreshold}{7}\n"
DOC = r"""\documentclass{article}\begin{document}
\section{Methods} We used \lit{8} subjects, t > \resThreshold{} and FFA-1 in float16, r^2
capped at 1.
\section{Results}
FFA similarity was \resFFAUniHH{} (Figure~\ref{fig:3}, \cite{nsd2022}).
\includegraphics[width=0.5\textwidth]{../figures/figure3_human_vs_network.pdf}
%s
\section{Discussion} The gap is above 0 (Figure 3E).
\end{document}"""


def test_clean_manuscript_passes():
    assert check(DOC % "", NUMBERS) == []


def test_hand_typed_number_in_results_fails():
    problems = check(DOC % "The gap was 0.35 in EBA.", NUMBERS)
    assert len(problems) == 1 and "hand-typed number" in problems[0] and "0.35" in problems[0]


def test_a_finding_named_by_its_number_is_not_a_typed_result():
    assert check(DOC % "\\paragraph{Finding 3: the ceiling.} As Finding~4 shows.", NUMBERS) == []
    assert check(DOC % "Finding 3 had 12 units.", NUMBERS) != []


def test_supplementary_results_are_checked_too():
    doc = (DOC % "").replace("\\end{document}",
                             "\\section{Supplementary results}\nThe gap was 0.35.\n\\end{document}")
    assert any("0.35" in p for p in check(doc, NUMBERS))


def test_undefined_macro_fails():
    problems = check(DOC % "EBA was \\resEBAUniHH.", NUMBERS)
    assert problems == ["\\resEBAUniHH is used but no stage writes it "
                        "(manuscript/generated/numbers.tex)"]


def test_comments_are_ignored():
    assert check(DOC % "% a comment with 12 and \\resNothing", NUMBERS) == []


def test_the_real_manuscript_uses_only_generated_numbers():
    root = Path(__file__).resolve().parents[1] / "manuscript"
    import yaml

    from analysis import config
    from analysis.report.macros import manuscript_macros, numbers_tex
    from tests.test_macros import RESULTS
    published = yaml.safe_load((root.parent / "data/published_reference.yaml").read_text())
    params = config.load_params(root.parent / "params.yaml")
    numbers = manuscript_macros(params, RESULTS, published)
    assert check((root / "main.tex").read_text(), numbers_tex(numbers)) == []


def test_layout_problems_name_wide_boxes_and_tall_floats_and_let_a_hair_pass():
    from analysis.report.manuscript import layout_problems
    log = ("Overfull \\hbox (68.08228pt too wide) in paragraph at lines 2--848\n"
           "Overfull \\hbox (0.61pt too wide) in paragraph at lines 10--12\n"
           "Overfull \\vbox (3.5pt too high) has occurred while \\output is active\n"
           "LaTeX Warning: Float too large for page by 40.27225pt on input line 836.\n")
    found = layout_problems(log)
    assert found == [
        "overfull hbox, 68.1 pt too wide in paragraph at lines 2--848",
        "overfull vbox, 3.5 pt too high has occurred while \\output is active",
        "float too large for the page by 40.3 pt (main.tex line 836): draw the figure shorter "
        "or cut its caption"]
    assert layout_problems("Overfull \\hbox (0.9pt too wide) in paragraph at lines 1--2\n") == []


def test_hand_typed_numbers_outside_results_fail_unless_marked_literal():
    doc = DOC % ""
    methods = doc.replace("We used \\lit{8} subjects", "We used 8 subjects")
    problems = check(methods, NUMBERS)
    assert len(problems) == 1 and "We used 8 subjects" in problems[0] and "\\lit" in problems[0]
    caption = doc.replace("\\section{Discussion}", "\\caption{Bars: 95\\% intervals.}\n"
                          "\\section{Discussion}")
    assert any("95" in p for p in check(caption, NUMBERS))
    assert check(doc.replace("above 0", "above 0.5"), NUMBERS) != []


def test_constants_zero_and_one_are_typed_results_inside_results():
    assert check(DOC % "The gap was above 0.", NUMBERS) != []
