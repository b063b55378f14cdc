"""Linear identity decoding with cross-validation (linear SVM, scikit-learn)."""

from __future__ import annotations

import numpy as np
import scipy.stats
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC


def classifier(C: float):
    """Standardise features, then a linear SVM (one-vs-rest)."""
    return make_pipeline(StandardScaler(), LinearSVC(C=C, max_iter=20000, random_state=0))


def folds(labels: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds leaving one image per identity out of each training set
    (n_splits = images per identity, at most 10)."""
    n_splits = int(min(np.bincount(np.unique(labels, return_inverse=True)[1]).min(), 10))
    if n_splits < 2:
        raise ValueError("identity decoding needs at least 2 images per identity")
    skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(skf.split(np.zeros(len(labels)), labels))


def cv_accuracy(x: np.ndarray, labels: np.ndarray, seed: int, C: float = 1.0) -> np.ndarray:
    """Accuracy on each held-out fold: (n_folds,)."""
    acc = []
    for train, test in folds(labels, seed):
        clf = classifier(C).fit(x[train], labels[train])
        acc.append(float((clf.predict(x[test]) == labels[test]).mean()))
    return np.array(acc)


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval over folds."""
    v = np.asarray(values, dtype=float)
    half = scipy.stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)
