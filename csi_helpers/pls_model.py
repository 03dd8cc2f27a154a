"""The PLS path model as given: blocks of indicators, paths between latent variables.

Checks a model (every LV a block of items present in the data, paths between known LVs,
the path graph acyclic), orders the LVs topologically (predecessors first), builds the
numeric indicator matrix (dropping, with a warning, rows that leave a whole block
unanswered) and compiles the model to index arrays (``_Model``: each block's columns,
the path matrix, the adjacency the inner estimation uses).

Reference: Sanchez, G. (2013) *PLS Path Modeling with R*, ch. 2-3 (R plspm's
``check_specs``, ``get_manifests``).

Example
-------
>>> from csi_helpers import pls_model
>>> pls_model._topological(["SAT", "IMAG", "LOY"], [("IMAG", "SAT"), ("SAT", "LOY")])
['IMAG', 'SAT', 'LOY']
"""
from __future__ import annotations

import warnings
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import CSIInputError, CSIWarning


# --------------------------------------------------------------------------- validation
def _validate_model(data: pd.DataFrame, blocks, paths):
    if not isinstance(data, pd.DataFrame):
        raise CSIInputError("pls.fit: data must be a pandas DataFrame of indicators "
                            f"(got {type(data).__name__})")
    if not isinstance(blocks, Mapping) or not blocks:
        raise CSIInputError("pls.fit: blocks must be a non-empty dict {lv: [items]}")
    blocks = {str(lv): ([items] if isinstance(items, str) else list(items))
              for lv, items in blocks.items()}
    seen: dict = {}
    for lv, items in blocks.items():
        if not items:
            raise CSIInputError(f"pls.fit: block {lv!r} has no items; give at least one column")
        for it in items:
            if it not in data.columns:
                raise CSIInputError(
                    f"pls.fit: block {lv!r} names item {it!r}, which is not a column of the "
                    f"data; fix the block or add the column (columns: {list(data.columns)[:30]})")
            if it in seen:
                raise CSIInputError(f"pls.fit: item {it!r} is in blocks {seen[it]!r} and "
                                    f"{lv!r}; each item may measure one LV only")
            seen[it] = lv
    try:
        paths = [tuple(p) for p in paths]
    except TypeError:
        raise CSIInputError("pls.fit: paths must be a list of (from_lv, to_lv) pairs") from None
    if not paths:
        raise CSIInputError("pls.fit: paths is empty; give at least one (from_lv, to_lv)")
    for p in paths:
        if len(p) != 2:
            raise CSIInputError(f"pls.fit: path {p!r} is not a (from_lv, to_lv) pair")
        for lv in p:
            if lv not in blocks:
                raise CSIInputError(f"pls.fit: path {p[0]} -> {p[1]} names LV {lv!r}, which has "
                                    f"no block; add blocks[{lv!r}] or drop the path "
                                    f"(blocks: {list(blocks)})")
    if len(set(paths)) != len(paths):
        dup = [p for p in paths if paths.count(p) > 1][0]
        raise CSIInputError(f"pls.fit: path {dup[0]} -> {dup[1]} is given twice; list it once")
    used = {lv for p in paths for lv in p}
    lonely = [lv for lv in blocks if lv not in used]
    if lonely:
        raise CSIInputError(f"pls.fit: LV(s) {lonely} are in no path; connect them in paths "
                            "or remove their blocks")
    order = _topological(list(blocks), paths)
    return blocks, paths, order


def _topological(lvs: list, paths: list) -> list:
    """LVs in a causal order (stable: keeps the blocks' order where it is one); a cycle
    raises CSIInputError naming it."""
    succ = {lv: [t for f, t in paths if f == lv] for lv in lvs}
    state = {lv: 0 for lv in lvs}          # 0 new, 1 on stack, 2 done
    stack: list = []

    def visit(lv):
        state[lv] = 1
        stack.append(lv)
        for t in succ[lv]:
            if state[t] == 1:
                cyc = stack[stack.index(t):] + [t]
                raise CSIInputError("pls.fit: the path model is cyclic: " + " -> ".join(cyc)
                                    + "; PLS-PM needs a recursive (acyclic) model, drop one "
                                    "of these paths")
            if state[t] == 0:
                visit(t)
        stack.pop()
        state[lv] = 2

    for lv in lvs:
        if state[lv] == 0:
            visit(lv)
    # Kahn's algorithm, taking LVs in the blocks' order whenever free
    indeg = {lv: sum(1 for f, t in paths if t == lv) for lv in lvs}
    out: list = []
    remaining = list(lvs)
    while remaining:
        for lv in remaining:
            if indeg[lv] == 0:
                break
        remaining.remove(lv)
        out.append(lv)
        for t in succ[lv]:
            indeg[t] -= 1
    return out


def _indicator_matrix(data: pd.DataFrame, items: list, blocks: dict, missing: str = "pairwise"):
    """Numeric matrix of the indicators; drops constant items with a warning.

    ``missing="listwise"`` keeps the complete rows; ``"pairwise"`` keeps every row that
    answers at least one item of each block (NaN stay in the matrix).
    """
    sub = data.loc[:, items]
    cols = {}
    for it in items:
        s = sub[it]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            num = pd.to_numeric(s, errors="coerce")
            bad = s[num.isna() & s.notna()]
            if len(bad):
                raise CSIInputError(
                    f"pls.fit: column {it!r} is not numeric (row {bad.index[0]!r} holds "
                    f"{bad.iloc[0]!r}); assign numbers first (csi_helpers.scales.assign)")
            s = num
        cols[it] = s.astype("float64")
    num = pd.DataFrame(cols, index=data.index)
    avail = num.notna()
    if missing == "listwise":
        keep = avail.all(axis=1)
        what = ("have a missing indicator and were dropped (listwise, missing='listwise')")
        hint = "use missing='pairwise' (plspm's NA route) or impute beforehand"
    else:
        keep = pd.Series(True, index=num.index)
        for lv, its in blocks.items():
            keep &= avail[list(its)].any(axis=1)
        what = "answer no item of some block and were dropped (no LV score there)"
        hint = "check those respondents"
    n_drop = int((~keep).sum())
    if n_drop:
        rows = list(num.index[~keep][:5])
        warnings.warn(f"pls.fit: {n_drop} of {len(num)} rows {what}, e.g. rows {rows}; "
                      f"{hint}", CSIWarning, stacklevel=3)
        num = num.loc[keep]
    if len(num) < 3:
        raise CSIInputError(f"pls.fit: only {len(num)} usable rows; PLS-PM needs at least 3 "
                            "(check missing values in the blocks' items)")
    sd = num.std(ddof=0)
    n_avail = num.notna().sum()
    const = [it for it in items if not (sd[it] > 0 and n_avail[it] >= 3)]
    if const:
        new_blocks = {lv: [i for i in its if i not in const] for lv, its in blocks.items()}
        empty = [lv for lv, its in new_blocks.items() if not its]
        if empty:
            raise CSIInputError(f"pls.fit: block(s) {empty} have only constant items {const}; "
                                "an LV needs at least one item that varies")
        warnings.warn(f"pls.fit: constant item(s) {const} dropped from their blocks "
                      "(zero variance, or fewer than 3 answers, carries no information)",
                      CSIWarning, stacklevel=3)
        blocks = new_blocks
        items = [i for i in items if i not in const]
        num = num.loc[:, items]
        if missing != "listwise":      # dropping an item may leave a row without a block
            keep = pd.Series(True, index=num.index)
            for lv, its in blocks.items():
                keep &= num[list(its)].notna().any(axis=1)
            if not keep.all():
                k = int((~keep).sum())
                warnings.warn(f"pls.fit: {k} more rows answer no remaining item of some "
                              "block and were dropped", CSIWarning, stacklevel=3)
                num = num.loc[keep]
                n_drop += k
    return num, blocks, items, n_drop


# --------------------------------------------------------------------------- the engine
class _Model:
    """Index structures shared by the full-sample fit and the bootstrap."""

    def __init__(self, order, blocks, paths):
        self.lvs = list(order)
        self.L = len(order)
        self.items = [it for lv in order for it in blocks[lv]]
        self.p = len(self.items)
        pos = {lv: k for k, lv in enumerate(order)}
        self.block_of = np.array([pos[lv] for lv in order for _ in blocks[lv]])
        self.odm = np.zeros((self.p, self.L))
        self.odm[np.arange(self.p), self.block_of] = 1.0
        self.path_idx = [(pos[f], pos[t]) for f, t in paths]
        self.adj = np.zeros((self.L, self.L))              # adj[f, t] = 1 for f -> t
        for f, t in self.path_idx:
            self.adj[f, t] = 1.0
        self.sym = self.adj + self.adj.T
        self.preds = [np.flatnonzero(self.adj[:, k]) for k in range(self.L)]
        self.succs = [np.flatnonzero(self.adj[k, :]) for k in range(self.L)]
        self.endo = [k for k in range(self.L) if len(self.preds[k])]
        # all ordered pairs (earlier -> later), as plspm lists its effects
        self.pairs = [(i, j) for i in range(self.L) for j in range(i + 1, self.L)]
        self.multi = np.array([np.sum(self.block_of == k) > 1 for k in range(self.L)])
