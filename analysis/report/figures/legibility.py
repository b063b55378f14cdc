"""Is a figure legible where the manuscript places it? Text size at placed size, text boxes that
collide, text cut off by the figure's edge; from matplotlib's own renderer (the boxes it draws).

The manuscript includes every figure at the text width (``\\includegraphics[width=\\textwidth]``),
so a figure drawn W inches wide is scaled by TEXT_WIDTH_IN / W: a 6 pt label on a figure drawn
at twice the text width prints at 3 pt.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: The manuscript's text width: A4 with 2.5 cm margins (manuscript/main.tex's geometry).
TEXT_WIDTH_IN = 6.30
#: The tallest figure that leaves its caption (up to ~9 lines of 11 pt) room on the page: the
#: text height of that geometry, 24.7 cm = 9.72 in, less 1.7 in.
MAX_HEIGHT_IN = 8.0
#: The smallest text a journal prints (after placement), in points.
MIN_FONT_PT = 6.0
#: Two boxes overlap when they share more than this many square points (anti-aliasing slack).
OVERLAP_PT2 = 0.5


@dataclass(frozen=True)
class Problem:
    """One legibility problem: what (small | overlap | clipped) and which text(s)."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


def placed_scale(fig: plt.Figure, width_in: float = TEXT_WIDTH_IN) -> float:
    """How much the manuscript scales the figure: placed width / drawn width."""
    return width_in / fig.get_figwidth()


def _drawn_texts(fig: plt.Figure) -> list[Text]:
    """Every non-empty text artist matplotlib draws for the figure (titles, labels, tick
    labels in view, legends, annotations), recorded while the figure is drawn once (its layout
    engine included)."""
    drawn: list[Text] = []
    draw = Text.draw

    def recording(self: Text, renderer: RendererBase) -> None:
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        draw(self, renderer)

    Text.draw = recording  # type: ignore[method-assign,assignment]
    try:
        fig.canvas.draw()
    finally:
        Text.draw = draw  # type: ignore[method-assign]
    return list(dict.fromkeys(drawn))


def _label(t: Text) -> str:
    return repr(t.get_text().replace("\n", " ")[:40])


def problems(fig: plt.Figure, width_in: float = TEXT_WIDTH_IN) -> list[Problem]:
    """Legibility problems of ``fig`` placed at ``width_in`` inches wide: text smaller than
    MIN_FONT_PT after placement, pairs of text boxes that overlap, text outside the figure.

    The figure is drawn once (its layout engine included) to get the boxes; units: points at
    placed size.
    """
    scale = placed_scale(fig, width_in)
    texts = _drawn_texts(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    out: list[Problem] = []
    for t in texts:
        size = float(t.get_fontsize()) * scale
        if size < MIN_FONT_PT - 1e-6:
            out.append(Problem("small", f"{_label(t)} prints at {size:.1f} pt"))
    to_pt = 72 / fig.dpi * scale
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    figure_box = Bbox.from_bounds(0, 0, fig.bbox.width, fig.bbox.height).padded(1)
    for t, box in boxes:
        if not figure_box.containsx(box.x0) or not figure_box.containsx(box.x1) \
                or not figure_box.containsy(box.y0) or not figure_box.containsy(box.y1):
            out.append(Problem("clipped", f"{_label(t)} extends beyond the figure"))
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            if not box_a.overlaps(box_b):
                continue
            inter = Bbox.intersection(box_a, box_b)
            if inter is not None and inter.width * inter.height * to_pt ** 2 > OVERLAP_PT2:
                out.append(Problem("overlap", f"{_label(a)} and {_label(b)}"))
    return out
