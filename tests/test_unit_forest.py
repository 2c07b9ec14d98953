"""The compiled forest gives scikit-learn's probabilities bit for bit, on both of its paths
(the numpy walk for few rows, scikit-learn's tree predictors for many), with categorical
features, missing values and categories the model never saw."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from service.answering import forest
from service.answering.forest import CompiledForest, compiled
from service.answering.reader import load_model


def _fitted(categorical: bool) -> tuple[HistGradientBoostingClassifier, np.ndarray]:
    rng = np.random.default_rng(7)
    n = 3000
    x = rng.normal(size=(n, 5))
    x[:, 2] = rng.integers(0, 12, size=n)  # a category code, as the span model's edge words
    x[rng.random(x.shape) < 0.05] = np.nan
    y = (np.nan_to_num(x[:, 0]) + (np.nan_to_num(x[:, 2]) % 3 == 1) - 0.5 * np.nan_to_num(x[:, 4]) > 0.3).astype(int)
    model = HistGradientBoostingClassifier(
        max_iter=40,
        max_leaf_nodes=15,
        categorical_features=[False, False, True, False, False] if categorical else None,
        random_state=0,
    ).fit(x, y)
    return model, x


def _probe_rows(x: np.ndarray) -> np.ndarray:
    rows = x[:300].copy()
    rows[:12, 2] = [np.nan, -1, 12, 13, 999, 2.5, 0, 11, 5, np.nan, 3, 7]  # unseen codes, a fraction, missing
    rows[12:20, 0] = np.nan
    return rows.astype(np.float32)  # the answerer passes float32 rows, as scikit-learn is given them


@pytest.mark.parametrize("categorical", [True, False])
@pytest.mark.parametrize("rows", [1, 7, forest.WALKED_ROWS, forest.WALKED_ROWS + 1, 300])
def test_the_same_probabilities_as_scikit_learn(categorical: bool, rows: int) -> None:
    model, x = _fitted(categorical)
    probe = _probe_rows(x)[:rows]
    assert np.array_equal(CompiledForest(model).predict_proba(probe), model.predict_proba(probe))


def test_both_paths_agree_on_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    model, x = _fitted(True)
    probe = _probe_rows(x)[:40]
    compiled = CompiledForest(model)
    walked = compiled.predict_proba(probe)
    monkeypatch.setattr(forest, "WALKED_ROWS", 0)
    assert np.array_equal(compiled.predict_proba(probe), walked)


def test_the_shipped_cell_and_span_models_compile_to_the_same_output() -> None:
    model = load_model()
    assert model is not None
    rng = np.random.default_rng(3)
    for fitted, fast in ((model.cells, model.fast_cells), (model.spans, model.fast_spans)):
        assert isinstance(fast, CompiledForest)
        probe = (rng.normal(size=(200, fitted.n_features_in_)) * 3).astype(np.float32)
        if fitted.is_categorical_ is not None:
            for column in np.flatnonzero(fitted.is_categorical_):
                probe[:, column] = rng.integers(-1, 300, size=len(probe))
        probe[rng.random(probe.shape) < 0.02] = np.nan
        for rows in (3, 200):
            assert np.array_equal(fast.predict_proba(probe[:rows]), fitted.predict_proba(probe[:rows]))


def test_a_multiclass_model_is_refused_and_served_as_it_is() -> None:
    rng = np.random.default_rng(1)
    model = HistGradientBoostingClassifier(max_iter=3).fit(rng.normal(size=(90, 2)), np.arange(90) % 3)
    with pytest.raises(ValueError, match="binary"):
        CompiledForest(model)
    assert compiled(model) is model


def test_a_model_compiled_wrongly_is_served_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    model, _ = _fitted(True)
    assert isinstance(compiled(model), CompiledForest)
    # another scikit-learn's trees read differently: the probe tells, and the model serves itself
    monkeypatch.setattr(CompiledForest, "_raw_by_trees", lambda self, x: np.zeros(len(x)))
    assert compiled(model) is model
