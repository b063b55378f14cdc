"""Alignment-pattern analysis (APA; "Only brains align with brains", 2026).

A region's *alignment pattern* is its alignment with every other region. Alignments are always
measured between different subjects (region A of subject s against region B of subject t ≠ s),
so no trial noise is shared by the two sides. Two measures, each an (n_rows, n_cols) matrix of
alignments on a sample of images (positions ``idx``; duplicates allowed for the bootstrap):

* :class:`RsaAlignment` — the partial Pearson (or Spearman) correlation of two condensed RDMs
  (computed once on all images with the comparison's distance and indexed per sample),
  controlling for the mean of the subjects' region RDMs on the sample: what every region
  shares (image-wise signal strength, general visual drive) would otherwise align every system
  with every region and give any system some of every region's pattern (with image strength
  varying as in real data, an unrelated system's pattern agreement was called significant in
  12-23 % of tests at 5 %; with the partial correlation 7 %, six regions; the remaining
  excess is handled by the calibrated alpha of :func:`permuted_agreement`);
* :class:`PredictivityAlignment` — the mean over the column system's channels of the Pearson r
  between a channel's responses and their cross-validated prediction from the row system
  (k-fold over images, the shared kernel ridge with a LOO-chosen ridge per channel: computed
  once, and every image sample scores the same out-of-fold predictions).

Rows are the predicting / first systems (each subject's regions, each network layer, the
controls); columns are the subjects' regions. From a matrix:

* :func:`brain_matrix`: region × region alignment, the mean over ordered subject pairs s ≠ t
  (optionally leaving subjects out); the pattern of region A is its row without the diagonal;
* :func:`held_out_stability`: per held-out subject h and region A, the Pearson r between h's
  pattern (A_h against every B_t, t ≠ h) and the pattern of the other subjects (pairs without
  h): the subject-to-subject reference;
* :func:`system_pattern`: a network layer's alignment with each region (mean over subjects);
* :func:`choose_layers` / :func:`score_layers`: the conventional assignment — on one half of
  the images, each region gets the system's layer with the highest alignment; on the other half
  that layer's alignment with the region is the *conventional score* and the Pearson r between
  its pattern over the other regions and the region's brain pattern is the *APA agreement*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from analysis.methods.profiles import pair_positions


def _zrows(x: np.ndarray) -> np.ndarray:
    """Rows centred and scaled to unit norm (a constant row stays 0)."""
    x = x - x.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)


@dataclass(frozen=True)
class RsaAlignment:
    """Partial RDM correlations. rows: (n_rows, n_pairs) and cols: (n_cols, n_pairs) condensed
    RDMs over ``n_img`` images; ``similarity``: pearson or spearman (ranks first)."""

    rows: np.ndarray
    cols: np.ndarray
    n_img: int
    similarity: str = "pearson"

    def matrix(self, idx: np.ndarray, partial: bool = True) -> np.ndarray:
        """(n_rows, n_cols) RDM correlations on images ``idx`` (pairs of one image dropped):
        partial, controlling for the mean column RDM (the APA alignment), or plain (the usual
        RSA score, reported beside it)."""
        pos = pair_positions(idx, self.n_img)
        a, b = self.rows[:, pos], self.cols[:, pos]
        if self.similarity == "spearman":
            a, b = rankdata(a, axis=1), rankdata(b, axis=1)
        a, b = _zrows(a), _zrows(b)
        if not partial:
            return a @ b.T
        common = _zrows(b.mean(axis=0, keepdims=True))[0]
        return _zrows(a - np.outer(a @ common, common)) @ _zrows(b - np.outer(b @ common,
                                                                              common)).T


@dataclass(frozen=True)
class PredictivityAlignment:
    """Cross-validated linear predictivity. predictions: (n_rows, n_img, n_targets)
    out-of-fold predictions of every target channel from each row system; targets: (n_img,
    n_targets) the channels' mean responses; target_col: (n_targets,) the column system of
    each channel; n_cols: the number of column systems."""

    predictions: np.ndarray
    targets: np.ndarray
    target_col: np.ndarray
    n_cols: int

    def matrix(self, idx: np.ndarray) -> np.ndarray:
        """(n_rows, n_cols): per row and column system, the mean over its channels of the
        Pearson r between prediction and response on images ``idx`` (a constant channel on
        the sample is left out)."""
        y = self.targets[idx]
        y = y - y.mean(0)
        p = self.predictions[:, idx, :]
        p = p - p.mean(1, keepdims=True)
        den = np.sqrt((p**2).sum(1) * (y**2).sum(0)[None, :])
        r = np.divide(np.einsum("rit,it->rt", p, y), den, out=np.full(den.shape, np.nan),
                      where=den > 0)
        onehot = (self.target_col[:, None] == np.arange(self.n_cols)[None, :]).astype(float)
        ok = np.isfinite(r)
        num, cnt = np.where(ok, r, 0.0) @ onehot, ok.astype(float) @ onehot
        return np.divide(num, cnt, out=np.full(num.shape, np.nan), where=cnt > 0)


def _indicator(labels: np.ndarray, regions: Sequence[str], keep: np.ndarray) -> np.ndarray:
    """(n, n_regions) float: 1 where the row's region is that region and ``keep``."""
    return ((labels[:, None] == np.asarray(regions, dtype=object)[None, :])
            & keep[:, None]).astype(float)


def brain_matrix(mat: np.ndarray, rows: pd.DataFrame, cols: pd.DataFrame,
                 regions: Sequence[str], leave_out: Sequence[object] = ()) -> pd.DataFrame:
    """Region × region alignment (regions ordered as given): the mean of ``mat`` over ordered
    pairs of different subjects, neither in ``leave_out``. rows / cols: one row per row /
    column of ``mat`` (kind, subject, region); only rows of kind 'brain' are used."""
    rs, cs = rows["subject"].to_numpy(), cols["subject"].to_numpy()
    out = np.asarray(list(leave_out))
    keep_r = (rows["kind"].to_numpy() == "brain") & ~np.isin(rs, out)
    wr = _indicator(rows["region"].to_numpy(), regions, keep_r)
    wc = _indicator(cols["region"].to_numpy(), regions, ~np.isin(cs, out))
    ok = (rs[:, None] != cs[None, :]) & np.isfinite(mat)
    num = wr.T @ np.where(ok, mat, 0.0) @ wc
    cnt = wr.T @ ok.astype(float) @ wc
    out = np.divide(num, cnt, out=np.full(num.shape, np.nan), where=cnt > 0)
    return pd.DataFrame(out, index=list(regions), columns=list(regions))


def pattern(matrix: pd.DataFrame | pd.Series, region: str) -> pd.Series:
    """Region ``region``'s alignment pattern: its row without itself."""
    row = matrix.loc[region] if isinstance(matrix, pd.DataFrame) else matrix
    return row.drop(region)


def general(brain: pd.DataFrame, region: str) -> pd.Series:
    """How well each other region B aligns with regions in general: the mean of the brain
    matrix's column B over the regions other than B and ``region`` (the covariate that
    :func:`agreement` partials out)."""
    m = brain.to_numpy(dtype=float).copy()
    np.fill_diagonal(m, np.nan)
    keep = brain.index != region
    g = np.nanmean(m[keep], axis=0)
    return pd.Series(g, index=brain.columns).drop(region)


def agreement(x: pd.Series, y: pd.Series, control: pd.Series) -> float:
    """The partial correlation of two patterns over the regions all three series have,
    controlling for ``control`` (:func:`general`).

    Alignments with region B share a part that has nothing to do with the region whose
    pattern it is: how reliable B is and how much of its variance every region shares (e.g.
    image-wise signal strength). A system that carries only that part would agree with every
    region's raw pattern; with it partialled out the agreement measures the region-specific
    structure (0 in expectation without any; tests/test_alignment_patterns.py measures
    both). NaN with fewer than 4 regions."""
    return _partial_r(x.to_numpy(dtype=float), y.reindex(x.index).to_numpy(dtype=float),
                      control.reindex(x.index).to_numpy(dtype=float))


def raw_agreement(x: pd.Series, y: pd.Series) -> float:
    """Pearson r of two patterns over the regions both have (NaN with fewer than 3)."""
    return _r(x.to_numpy(dtype=float), y.reindex(x.index).to_numpy(dtype=float))


def _r(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r over the entries finite in both (NaN with fewer than 3 or no variance)."""
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _partial_r(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Pearson r of a and b after regressing each on [1, c] (entries finite in all three)."""
    ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    if ok.sum() < 4:
        return float("nan")
    design = np.column_stack([np.ones(ok.sum()), c[ok]])
    res = [v - design @ np.linalg.lstsq(design, v, rcond=None)[0] for v in (a[ok], b[ok])]
    return _r(*res)


def held_out_stability(mat: np.ndarray, rows: pd.DataFrame, cols: pd.DataFrame,
                       regions: Sequence[str]) -> pd.DataFrame:
    """Per held-out subject h and region A: the agreement of h's pattern (A_h against every
    B_t, t ≠ h) with the other subjects' pattern (pairs of subjects other than h).
    Columns: subject, region, agreement (:func:`agreement`), agreement_raw."""
    out = []
    brain = rows["kind"].to_numpy() == "brain"
    for h in sorted(set(rows.loc[brain, "subject"])):
        others = brain_matrix(mat, rows, cols, regions, leave_out=[h])
        own = brain & (rows["subject"] == h).to_numpy()
        own_matrix = brain_matrix(np.where(own[:, None], mat, np.nan), rows, cols, regions)
        for a in regions:
            if np.isfinite(own_matrix.loc[a]).any():
                out.append({"subject": h, "region": a,
                            "agreement": agreement(pattern(own_matrix, a),
                                                   pattern(others, a), general(others, a)),
                            "agreement_raw": raw_agreement(pattern(own_matrix, a),
                                                           pattern(others, a))})
    return pd.DataFrame(out, columns=["subject", "region", "agreement", "agreement_raw"])


def system_pattern(mat_row: np.ndarray, cols: pd.DataFrame, regions: Sequence[str]
                   ) -> pd.Series:
    """A (non-brain) system's alignment with each region: its row ``mat_row`` (n_cols,)
    averaged over the subjects of each region."""
    wc = _indicator(cols["region"].to_numpy(), regions, np.ones(len(cols), bool))
    ok = np.isfinite(mat_row)
    num, cnt = np.where(ok, mat_row, 0.0) @ wc, ok.astype(float) @ wc
    return pd.Series(np.divide(num, cnt, out=np.full(num.shape, np.nan), where=cnt > 0),
                     index=list(regions))


def choose_layers(mat: np.ndarray, rows: pd.DataFrame, cols: pd.DataFrame,
                  regions: Sequence[str]) -> dict[tuple[str, str], str]:
    """The conventional assignment: per (system, region), the layer of the system with the
    highest alignment with the region in ``mat`` (ties: the first layer listed)."""
    chosen = {}
    for system, g in rows[rows["kind"] != "brain"].groupby("system", sort=False):
        pos = np.flatnonzero((rows["system"] == system).to_numpy())
        pats = {lay: system_pattern(mat[i], cols, regions)
                for i, lay in zip(pos, g["layer"], strict=True)}
        for a in regions:
            scores = {lay: p[a] for lay, p in pats.items() if np.isfinite(p[a])}
            if scores:
                chosen[(system, a)] = max(scores, key=lambda k: scores[k])
    return chosen


def score_layers(mat: np.ndarray, rows: pd.DataFrame, cols: pd.DataFrame,
                 regions: Sequence[str], chosen: dict[tuple[str, str], str],
                 plain: np.ndarray | None = None) -> pd.DataFrame:
    """Per assigned (system, region, layer) on the images of ``mat``: the conventional score
    (the layer's alignment with the region), the same from ``plain`` (the plain RSA matrix of
    the same images, :meth:`RsaAlignment.matrix` with ``partial=False``; ``mat`` itself when
    None, as for predictivity, which is plain already), the brain reference (the region's
    subject-to-subject alignment) and the APA agreement (the layer's pattern over the other
    regions against the brain's pattern). Columns: system, region, layer, conventional,
    conventional_plain, reference, agreement (:func:`agreement`), agreement_raw."""
    plain = mat if plain is None else plain
    brain_t = brain_matrix(mat, rows, cols, regions)
    brain = brain_t.to_numpy()
    where = {(s, lay): i
             for i, (s, lay) in enumerate(zip(rows["system"], rows["layer"], strict=True))}
    order = {r: k for k, r in enumerate(regions)}
    pats: dict[int, np.ndarray] = {}
    out = []
    for (system, a), lay in chosen.items():
        i, k = where[(system, lay)], order[a]
        if i not in pats:
            pats[i] = system_pattern(mat[i], cols, regions).to_numpy()
        others = np.arange(len(regions)) != k
        out.append({"system": system, "region": a, "layer": lay,
                    "conventional": float(pats[i][k]),
                    "conventional_plain": float(system_pattern(plain[i], cols, regions)[a]),
                    "reference": float(brain[k, k]),
                    "agreement": _partial_r(pats[i][others], brain[k, others],
                                            general(brain_t, a).to_numpy()),
                    "agreement_raw": _r(pats[i][others], brain[k, others])})
    return pd.DataFrame(out, columns=["system", "region", "layer", "conventional",
                                      "conventional_plain", "reference", "agreement",
                                      "agreement_raw"])


def permuted_agreement(folds: Sequence[tuple[pd.Series, pd.Series, pd.Series]],
                       rng: np.random.Generator, n: int) -> np.ndarray:
    """Chance level of the fold-mean APA agreement: (n,) draws.

    ``folds``: per fold (image half) the (system pattern, brain pattern, control) series of
    one system and region (:func:`pattern`, :func:`general`); the observed statistic is the
    mean over the folds of :func:`agreement`. Freedman-Lane: in each fold the system
    pattern's residuals on [1, control] are permuted over the regions and residualised
    again; one permutation of the regions serves every fold (the folds' agreements are of
    one system and one region and move together: independent permutations per fold made the
    null too narrow). Over the regions finite in every series; NaN draws with fewer than 4.
    The permutation treats the regions as exchangeable; they are not (regions that share
    structure align alike with any system), so the test is liberal and its p is judged
    against ``alignment_patterns.calibrated_alpha`` (README)."""
    frame = pd.concat([s.rename(f"{k}_{j}") for j, f in enumerate(folds)
                       for k, s in enumerate(f)], axis=1).dropna()
    if len(frame) < 4:
        return np.full(n, np.nan)
    perms = np.stack([rng.permutation(len(frame)) for _ in range(n)])   # (n, regions)
    out = np.zeros(n)
    for j in range(len(folds)):
        x, y, c = (frame[f"{k}_{j}"].to_numpy(dtype=float) for k in range(3))
        design = np.column_stack([np.ones(len(x)), c])
        resid = np.eye(len(x)) - design @ np.linalg.pinv(design)   # (I - H): residual maker
        out += _zrows((resid @ x)[perms] @ resid.T) @ _zrows((resid @ y)[None, :])[0]
    return out / len(folds)


def ranks(scores: pd.Series) -> pd.Series:
    """Rank 1 = best (highest score); ties share their mean rank; NaN ranks last."""
    return scores.fillna(-np.inf).rank(ascending=False, method="average")
