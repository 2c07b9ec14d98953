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
        self.roots = offsets[:-1].astype(np.intp)
        shift = np.repeat(offsets[:-1], [len(t.nodes) for t in trees])
        self.leaf = nodes["is_leaf"].astype(bool)
        self.left = np.where(self.leaf, np.arange(len(nodes)), nodes["left"] + shift).astype(np.intp)
        self.right = np.where(self.leaf, np.arange(len(nodes)), nodes["right"] + shift).astype(np.intp)
        self.value = nodes["value"].astype(np.float64)
        self.threshold = nodes["num_threshold"].astype(np.float64)
        self.missing_left = nodes["missing_go_to_left"].astype(bool)
        self.baseline = float(np.asarray(model._baseline_prediction).ravel()[0])
        # the model's columns: its categorical ones first (ordinal-encoded), then the numeric
        categorical = model.is_categorical_
        if categorical is None:
            self.column = np.arange(model.n_features_in_)
            is_cat = np.zeros(len(nodes), dtype=bool)
        else:
            self.column = np.concatenate([np.flatnonzero(categorical), np.flatnonzero(~categorical)])
            is_cat = nodes["is_categorical"].astype(bool)
        self.feature = self.column[nodes["feature_idx"]].astype(np.intp)
        self.categorical = np.flatnonzero(is_cat)
        self.known, self.f_idx_map = model._bin_mapper.make_known_categories_bitsets()
        self.side, self.codes = self._categorical_sides(model, trees, nodes, is_cat, offsets)
        self.trees = trees
        self.encoding = self._encoding(model)
        self.row_of_cat = np.full(len(nodes), -1, dtype=np.intp)
        self.row_of_cat[self.categorical] = np.arange(len(self.categorical))

    def _categorical_sides(self, model, trees, nodes, is_cat, offsets) -> tuple[np.ndarray, int]:
        """For each categorical node, whether each raw value goes left (a table indexed by the
        raw value; the last entry for a value the model never saw)."""
        if not is_cat.any():
            return np.zeros((0, 1), dtype=bool), 0
        encoder = model._preprocessor.named_transformers_["encoder"]
        categories = encoder.categories_  # the raw values of each categorical column, sorted
        # a categorical value is a small non-negative integer (scikit-learn bins it); NaN is missing
        codes = int(max(np.nanmax(c) for c in categories if np.isfinite(c).any()) + 1)
        side = np.empty((len(self.categorical), codes + 1), dtype=bool)
        tree_of = np.searchsorted(offsets, self.categorical, side="right") - 1
        for row, (n, t) in enumerate(zip(self.categorical, tree_of)):
            node = nodes[n]
            missing = bool(node["missing_go_to_left"])
            side[row, :] = missing
            bitset = trees[t].raw_left_cat_bitsets[node["bitset_idx"]]
            encoded_column = int(node["feature_idx"])  # categorical columns come first, in order
            known_bits = self.known[self.f_idx_map[encoded_column]]
            for encoded, raw in enumerate(categories[encoded_column]):
                if np.isnan(raw) or raw < 0 or raw != int(raw):
                    continue
                if _in(bitset, encoded):
                    side[row, int(raw)] = True
                elif _in(known_bits, encoded):
                    side[row, int(raw)] = False
        return side, codes

    def _encoding(self, model) -> list[tuple[int, np.ndarray]]:
        """Each categorical column and the table from its raw value (an integer code) to the
        model's encoding of it (NaN for a value it never saw), as its ordinal encoder gives."""
        if model.is_categorical_ is None:
            return []
        categories = model._preprocessor.named_transformers_["encoder"].categories_
        out = []
        for column, raw_values in zip(np.flatnonzero(model.is_categorical_), categories):
            table = np.full(self.codes + 1, np.nan)
            for encoded, raw in enumerate(raw_values):
                if not np.isnan(raw) and 0 <= raw < self.codes and raw == int(raw):
                    table[int(raw)] = encoded
            out.append((int(column), table))
        return out

    def _encoded(self, x: np.ndarray) -> np.ndarray:
        """The rows as the model's column transformer gives them: categorical columns first,
        ordinal-encoded, then the numeric ones."""
        if not self.encoding:
            return x
        parts = []
        for column, table in self.encoding:
            raw = x[:, column]
            unseen = np.isnan(raw) | (raw < 0) | (raw >= self.codes) | (raw != np.floor(raw))
            parts.append(table[np.where(unseen, self.codes, np.nan_to_num(raw)).astype(np.intp)])
        numeric = np.flatnonzero(~np.isin(np.arange(x.shape[1]), [c for c, _ in self.encoding]))
        return np.ascontiguousarray(np.column_stack([*parts, x[:, numeric]]))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        raw = self._raw_by_walk(x) if len(x) <= WALKED_ROWS else self._raw_by_trees(x)
        p = expit(raw)
        return np.column_stack([1.0 - p, p])

    def _raw_by_trees(self, x: np.ndarray) -> np.ndarray:
        """Many rows: scikit-learn's own tree predictors, without its column transformer."""
        encoded = self._encoded(x)
        raw = np.zeros(len(x)) + self.baseline
        for tree in self.trees:
            raw += tree.predict(encoded, self.known, self.f_idx_map, 1)
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
            if self.codes:
                cat = self.row_of_cat.take(nodes)
                on_cat = cat >= 0
                if on_cat.any():
                    raw = values[on_cat]
                    unseen = np.isnan(raw) | (raw < 0) | (raw >= self.codes) | (raw != np.floor(raw))
                    code = np.where(unseen, self.codes, np.nan_to_num(raw)).astype(np.intp)
                    go_left[on_cat] = self.side[cat[on_cat], code]
            following = np.where(go_left, self.left.take(nodes), self.right.take(nodes))
            at[active] = following
            active = active[~self.leaf.take(following)]
        leaves = self.value.take(at).reshape(n, trees)
        # summed in the trees' order from the baseline, as scikit-learn adds them
        return np.cumsum(np.hstack([np.full((n, 1), self.baseline), leaves]), axis=1)[:, -1]


def _in(bitset: np.ndarray, value: int) -> bool:
    return bool((int(bitset[value // 32]) >> (value % 32)) & 1)


def compiled(model: HistGradientBoostingClassifier) -> CompiledForest | HistGradientBoostingClassifier:
    """The model compiled where it gives scikit-learn's output on a probe through both paths;
    else the model itself (another scikit-learn's internals than those read here)."""
    try:
        forest = CompiledForest(model)
        probe = np.random.default_rng(0).normal(size=(WALKED_ROWS + 8, model.n_features_in_)) * 2
        if model.is_categorical_ is not None:
            probe[:, model.is_categorical_] = np.arange(len(probe))[:, None] % (forest.codes + 2) - 1
        if all(np.array_equal(forest.predict_proba(p), model.predict_proba(p)) for p in (probe[:3], probe)):
            return forest
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        pass
    return model
