"""The reliabilities of analysis.methods.predictivity against the reference implementation of
reverse predictivity (vital-kolab/reverse_pred, lib/src/reverse_pred at e3c3690), whose
functions used here are transcribed below (ridge and PLS options dropped, names kept).

With 2 repetitions the reference's random split halves are the two repetitions (in either
order; every quantity below is symmetric in them), so the comparison is deterministic:

* forward (model -> neural), ``get_model_neural_splithalfcorr``: its model_shc (predictions
  of each half of the target, Spearman-Brown) is our ρ_y, computed by our
  :func:`split_reliability` from the same predictions; its neural_shc (Spearman split-half,
  Spearman-Brown) is our :func:`target_reliability` of the rank-transformed repetitions (ours
  uses Pearson: Spearman is Pearson of ranks);
* reverse (neural -> model), ``get_neural_model_splithalfcorr``: its model_shc (the unit
  predicted from each predictor half, Spearman-Brown) is our ρ_x for a noise-free target;
* subject -> subject, ``get_neural_neural_splithalfcorr``: the same as forward for the target
  side.

Subject to subject, the predictor side departs from the reference by design (module docstring
of analysis.methods.predictivity): the reference refits on each predictor half, we apply the map
fitted on the mean predictors to each test repetition there.

Transcribed code: MIT License, Copyright (c) 2025 vital-kolab.

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""

import numpy as np
from scipy import stats
from sklearn import linear_model

from analysis.methods.predictivity import split_reliability, target_reliability


# --- transcribed from reverse_pred (correlation_metrics, regression_metrics,
# prediction_utils) -------------------------------------------------------------------------
def get_splithalves(var, ax=1, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    var = np.swapaxes(var, 0, ax)
    shuffled = var.copy()
    rng.shuffle(shuffled, axis=0)
    split1, split2 = np.array_split(shuffled, 2, axis=0)
    split_mean1 = np.nanmean(split1, axis=0)
    split_mean2 = np.nanmean(split2, axis=0)
    return (np.swapaxes(split1, 0, ax), np.swapaxes(split2, 0, ax),
            np.swapaxes(split_mean1, 0, ax - 1 if ax > 0 else 0),
            np.swapaxes(split_mean2, 0, ax - 1 if ax > 0 else 0))


def spearmanbrown_correction(var):
    return (2 * var) / (1 + var)


def regress(X_train, Y_train, X_test, alpha=0.1):
    return linear_model.Ridge(alpha=alpha).fit(X_train, Y_train).predict(X_test)


def get_train_test_indices(totalIndices, nrfolds=10, foldnumber=0, seed=1):
    np.random.seed(seed)
    inds = np.arange(totalIndices)
    np.random.shuffle(inds)
    splits = np.array_split(inds, nrfolds)
    test_indices = inds[np.isin(inds, splits[foldnumber])]
    train_indices = inds[np.logical_not(np.isin(inds, test_indices))]
    return train_indices, test_indices


def get_predictions_multioutput(responses, predictor, nrfolds=10, seed=0):
    nrImages, n_targets = responses.shape
    ypred = np.full((nrImages, n_targets), np.nan)
    for i in range(nrfolds):
        train, test = get_train_test_indices(nrImages, nrfolds=nrfolds, foldnumber=i, seed=seed)
        ypred[test, :] = regress(predictor[train, :], responses[train, :], predictor[test, :])
    return ypred


def get_splithalf_corr(var, ax=1):
    _, _, split_mean1, split_mean2 = get_splithalves(var, ax=ax)
    return {"split_half_corr": np.array([stats.spearmanr(split_mean1[:, i],
                                                         split_mean2[:, i])[0]
                                         for i in range(split_mean1.shape[1])])}


def get_model_neural_splithalfcorr(rate, model_features):
    sp1, sp2, _, _ = get_splithalves(rate, ax=2)
    shc = get_splithalf_corr(rate, ax=2)
    p1 = get_predictions_multioutput(np.nanmean(sp1, axis=2), model_features)
    p2 = get_predictions_multioutput(np.nanmean(sp2, axis=2), model_features)
    model_shc = np.array([stats.pearsonr(p1[:, i], p2[:, i])[0] for i in range(p1.shape[1])])
    return spearmanbrown_correction(model_shc), spearmanbrown_correction(
        shc["split_half_corr"])


def get_neural_model_splithalfcorr(model_features, rate):
    sp1, sp2, _, _ = get_splithalves(rate, ax=2)
    p1 = get_predictions_multioutput(model_features, np.nanmean(sp1, axis=2))
    p2 = get_predictions_multioutput(model_features, np.nanmean(sp2, axis=2))
    corr = np.array([stats.pearsonr(p1[:, i], p2[:, i])[0] for i in range(p1.shape[1])])
    return spearmanbrown_correction(corr)


def get_neural_neural_splithalfcorr(rate_predicted, rate_predictor):
    shc_predicted = get_splithalf_corr(rate_predicted, ax=2)
    sp1_predictor, sp2_predictor, _, _ = get_splithalves(rate_predictor, ax=2)
    p1 = get_predictions_multioutput(np.nanmean(rate_predicted, axis=2),
                                     np.nanmean(sp1_predictor, axis=2))
    p2 = get_predictions_multioutput(np.nanmean(rate_predicted, axis=2),
                                     np.nanmean(sp2_predictor, axis=2))
    prediction_shc = np.array([stats.pearsonr(p1[:, i], p2[:, i])[0]
                               for i in range(p1.shape[1])])
    return (spearmanbrown_correction(prediction_shc),
            spearmanbrown_correction(shc_predicted["split_half_corr"]))
# --- end of transcription ------------------------------------------------------------------


def _world(rng, n=80, v=6):
    latent = rng.normal(size=(n, 4)) * rng.lognormal(0, 0.5, (n, 1))
    signal = latent @ rng.normal(size=(4, v))
    return latent, signal[:, :, None] + 1.5 * rng.normal(size=(n, v, 2))


def _ranks(reps):
    return np.apply_along_axis(stats.rankdata, 0, reps)


def test_forward_reliabilities_equal_the_reference_with_two_repetitions():
    rng = np.random.default_rng(0)
    latent, rate = _world(rng)
    features = latent @ rng.normal(size=(4, 12))
    model_shc, neural_shc = get_model_neural_splithalfcorr(rate, features)
    preds = [get_predictions_multioutput(rate[:, :, k], features) for k in range(2)]
    assert np.all(model_shc > 0) and np.all(neural_shc > 0)   # no clipping in play
    np.testing.assert_allclose(split_reliability(preds), model_shc, rtol=1e-10)
    np.testing.assert_allclose(target_reliability(_ranks(rate)), neural_shc, rtol=1e-10)


def test_reverse_reliability_equals_the_reference_with_two_repetitions():
    rng = np.random.default_rng(2)
    latent, rate = _world(rng)
    features = latent @ rng.normal(size=(4, 12))
    model_shc = get_neural_model_splithalfcorr(features, rate)
    preds = [get_predictions_multioutput(features, rate[:, :, k]) for k in range(2)]
    assert np.all(model_shc > 0)   # no clipping in play
    np.testing.assert_allclose(split_reliability(preds), model_shc, rtol=1e-10)


def test_subject_to_subject_target_reliability_equals_the_reference():
    rng = np.random.default_rng(1)
    latent, target = _world(rng)
    predictor = latent @ rng.normal(size=(4, 10))
    predictor = predictor[:, :, None] + rng.normal(size=(*predictor.shape, 2))
    _, neuron_shc = get_neural_neural_splithalfcorr(target, predictor)
    np.testing.assert_allclose(target_reliability(_ranks(target)), neuron_shc, rtol=1e-10)


def test_clipping_departs_from_the_reference_only_for_negative_split_halves():
    """The reference applies Spearman-Brown to a negative split-half r (2r / (1 + r): -0.6
    gives -3, -0.8 gives -8, and its EV then takes sqrt of a negative product); ours clips to
    0."""
    a = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 1.5, 3.5, 2.0]]).T
    b = np.array([[4.0, 2.0, 3.0, 1.0], [2.0, 3.0, 1.0, 1.5]]).T
    r = np.array([stats.pearsonr(a[:, i], b[:, i])[0] for i in range(2)])
    assert r[0] < 0 and spearmanbrown_correction(r[0]) < -1
    np.testing.assert_array_equal(split_reliability([a, b])[r < 0], 0.0)
    np.testing.assert_allclose(split_reliability([a, b])[r >= 0],
                               spearmanbrown_correction(r[r >= 0]))
