"""A fitted binary `HistGradientBoostingClassifier` evaluated with numpy, every tree at once.

scikit-learn validates its input and, for a model with categorical features, runs a column
transformer before it calls its compiled predictor tree by tree: 1–5 ms a call, whatever the
rows, where a question scores a few dozen cells or a few hundred span candidates. Here, for few
rows, the trees' nodes are stacked into flat arrays and every (row, tree) walks down together,
one level a step; for many, scikit-learn's own tree predictors are called on rows encoded here
as its ordinal encoder would. Either way the leaves' values are summed in the trees' order
from the model's baseline and passed through the same logistic function, so the probabilities
are scikit-learn's, bit for bit (pinned by `tests/test_unit_forest.py`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier

WALKED_ROWS = 64  # up to this many rows the numpy walk is faster; beyond, the compiled trees


class CompiledForest:
    """`predict_proba` of a fitted binary `HistGradientBoostingClassifier`, same output."""

    def __init__(self, model: HistGradientBoostingClassifier):
        if model.n_trees_per_iteration_ != 1:
            raise ValueError("only binary classifiers are compiled")
        trees = [predictors[0] for predictors in model._predictors]
        offsets = np.cumsum([0] + [len(t.nodes) for t in trees])
        nodes = np.concatenate([t.nodes for t in trees])
        self.trees = trees
        self.roots = offsets[:-1].astype(np.intp)
        shift = np.repeat(offsets[:-1], [len(t.nodes) for t in trees])
        self.leaf = nodes["is_leaf"].astype(bool)
        self.left = np.where(self.leaf, np.arange(len(nodes)), nodes["left"] + shift).astype(np.intp)
        self.right = np.where(self.leaf, np.arange(len(nodes)), nodes["right"] + shift).astype(np.intp)
        self.value = nodes["value"].astype(np.float64)
        self.threshold = nodes["num_threshold"].astype(np.float64)
        self.missing_left = nodes["missing_go_to_left"].astype(bool)
        self.feature = nodes["feature_idx"].astype(np.intp)  # a column of the encoded rows
        self.baseline = float(np.asarray(model._baseline_prediction).ravel()[0])
        self.known, self.f_idx_map = model._bin_mapper.make_known_categories_bitsets()
        self.encoding = _encoding(model)
        # each categorical node's side for each encoded value (the value's bit in the node's
        # set: left; else right if the model knows the value; else the missing values' side)
        categorical = np.flatnonzero(nodes["is_categorical"].astype(bool)) if self.encoding else np.zeros(0, np.intp)
        width = max((int(np.isfinite(table).sum()) for _, table in self.encoding), default=0) + 1
        self.side = np.zeros((len(categorical), width), dtype=bool)
        tree_of = np.searchsorted(offsets, categorical, side="right") - 1
        for row, (n, t) in enumerate(zip(categorical, tree_of)):
            node = nodes[n]
            left_bits = trees[t].raw_left_cat_bitsets[node["bitset_idx"]]
            known_bits = self.known[self.f_idx_map[node["feature_idx"]]]
            for value in range(width - 1):
                self.side[row, value] = (
                    _in(left_bits, value) or not _in(known_bits, value) and bool(node["missing_go_to_left"])
                )
        self.row_of_cat = np.full(len(nodes), -1, dtype=np.intp)
        self.row_of_cat[categorical] = np.arange(len(categorical))

    def _encoded(self, x: np.ndarray) -> np.ndarray:
        """The rows as the model's column transformer gives them: categorical columns first,
        ordinal-encoded (NaN for a value the model never saw), then the numeric ones."""
        if not self.encoding:
            return x
        parts = []
        for column, table in self.encoding:
            raw = x[:, column]
            unseen = np.isnan(raw) | (raw < 0) | (raw >= len(table) - 1) | (raw != np.floor(raw))
            parts.append(table[np.where(unseen, len(table) - 1, np.nan_to_num(raw)).astype(np.intp)])
        numeric = np.flatnonzero(~np.isin(np.arange(x.shape[1]), [c for c, _ in self.encoding]))
        return np.ascontiguousarray(np.column_stack([*parts, x[:, numeric]]))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        encoded = self._encoded(np.asarray(x, dtype=np.float64))
        raw = self._raw_by_walk(encoded) if len(encoded) <= WALKED_ROWS else self._raw_by_trees(encoded)
        p = expit(raw)
        return np.column_stack([1.0 - p, p])

    def _raw_by_trees(self, x: np.ndarray) -> np.ndarray:
        """Many rows: scikit-learn's own tree predictors."""
        raw = np.zeros(len(x)) + self.baseline
        for tree in self.trees:
            raw += tree.predict(x, self.known, self.f_idx_map, 1)
        return raw

    def _raw_by_walk(self, x: np.ndarray) -> np.ndarray:
        """Few rows: every (row, tree) walked down together, one level a step."""
        n, width = x.shape
        trees = len(self.roots)
        flat = x.ravel()
        # one entry per (row, tree); those at a leaf drop out
        at = np.tile(self.roots, n)
        base = np.repeat(np.arange(n, dtype=np.intp) * width, trees)
        active = np.arange(n * trees)
        while active.size:
            nodes = at[active]
            values = flat.take(base.take(active) + self.feature.take(nodes))
            go_left = values <= self.threshold.take(nodes)
            missing = np.isnan(values)
            if missing.any():
                go_left = np.where(missing, self.missing_left.take(nodes), go_left)
            if len(self.side):
                cat = self.row_of_cat.take(nodes)
                known = (cat >= 0) & ~missing  # an encoded value the model saw (NaN: missing, done above)
                if known.any():
                    go_left[known] = self.side[cat[known], values[known].astype(np.intp)]
            following = np.where(go_left, self.left.take(nodes), self.right.take(nodes))
            at[active] = following
            active = active[~self.leaf.take(following)]
        leaves = self.value.take(at).reshape(n, trees)
        # summed in the trees' order from the baseline, as scikit-learn adds them
        return np.cumsum(np.hstack([np.full((n, 1), self.baseline), leaves]), axis=1)[:, -1]


def _encoding(model: HistGradientBoostingClassifier) -> list[tuple[int, np.ndarray]]:
    """Each categorical column and the table from its raw value (a small non-negative integer,
    as scikit-learn bins it) to the model's encoding of it; its last entry, NaN, for a value the
    model never saw — as the model's ordinal encoder gives."""
    if model.is_categorical_ is None:
        return []
    categories = model._preprocessor.named_transformers_["encoder"].categories_
    out = []
    for column, raw_values in zip(np.flatnonzero(model.is_categorical_), categories):
        valid = [(e, int(r)) for e, r in enumerate(raw_values) if np.isfinite(r) and r >= 0 and r == int(r)]
        table = np.full(max((r for _, r in valid), default=-1) + 2, np.nan)
        for encoded, raw in valid:
            table[raw] = encoded
        out.append((int(column), table))
    return out


def _in(bitset: np.ndarray, value: int) -> bool:
    return bool((int(bitset[value // 32]) >> (value % 32)) & 1)


def compiled(model: HistGradientBoostingClassifier) -> CompiledForest | HistGradientBoostingClassifier:
    """The model compiled where it gives scikit-learn's output on a probe through both paths;
    else the model itself (another scikit-learn's internals than those read here)."""
    try:
        forest = CompiledForest(model)
        probe = np.random.default_rng(0).normal(size=(WALKED_ROWS + 8, model.n_features_in_)) * 2
        for column, table in forest.encoding:  # every raw value the model knows, and some it does not
            probe[:, column] = np.arange(len(probe)) % (len(table) + 1) - 1
        if all(np.array_equal(forest.predict_proba(p), model.predict_proba(p)) for p in (probe[:3], probe)):
            return forest
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        pass
    return model
