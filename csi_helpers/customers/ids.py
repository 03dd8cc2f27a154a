"""Customer ids: one text index shared by the per-customer tables, and alignment that
builds no lasting hash table.

A pandas index of text builds a hash table the first time a label is looked up in it
(``reindex``, ``loc``, arithmetic between differently ordered Series, ``is_unique``).
Under pandas 3 the table of a million Arrow-string ids turns each id into a Python object:
about 75 MB, kept as long as the index lives. Notebook 05 keeps a dozen per-customer
tables (value, tiers, stages, tags, RFM, CLV ...); with an index each, that was ~0.7 GB of
a million-customer run. So:

- :func:`id_index` keeps an index that already is a text index of customer ids instead
  of rebuilding it: pandas shares one hash table among an index and its renamed, copied
  or reindexed derivatives, so the tables in the customer master's order hold one;
- :func:`master_index` is the customer master's index, made once per master table;
- :func:`aligned` reindexes by Arrow's hash join (``index_in``), whose hash table is
  freed when it returns, so a table in another order (the tiers sorted by revenue) never
  gets one of its own.

Two pandas habits build the table without a lookup in sight: a Series handed to a numpy
function (``np.where(s < x, ...)``: numpy asks the Series for attributes it lacks, and
pandas checks whether each name is a label of the index), and a Series as a ``groupby``
key or boolean mask (aligned on the index). Hand numpy ``s.to_numpy()`` instead.

Example
-------
>>> s = pd.Series([1.0, 2.0], index=pd.Index(["b", "a"], name="customer_id"))
>>> aligned(s, pd.Index(["a", "b", "c"], name="customer_id")).tolist()
[2.0, 1.0, nan]
"""
from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

__all__ = ["id_index", "master_index", "aligned", "duplicated"]

#: Below this length pandas' own reindex is used (its hash table is small).
_SMALL = 10_000


def _is_text(index: pd.Index) -> bool:
    return isinstance(index.dtype, pd.StringDtype) or index.dtype == object


def id_index(index) -> pd.Index:
    """``index`` as customer ids: text, named ``customer_id``. A text index is renamed,
    not rebuilt, so it keeps sharing its hash table with the index it came from.

    >>> ix = pd.Index(["c1", "c2"], dtype="str")
    >>> id_index(ix).name, id_index(pd.Index([1, 2])).tolist()
    ('customer_id', ['1', '2'])
    """
    if not isinstance(index, pd.Index):
        index = pd.Index(index)
    if isinstance(index.dtype, pd.StringDtype):
        return index if index.name == "customer_id" else index.rename("customer_id")
    return pd.Index(index.astype("str"), name="customer_id")


# id(master frame) -> (weak reference to it, its customer_id values, the index made of them)
_MASTERS: dict[int, tuple] = {}


def master_index(customers: pd.DataFrame, make) -> pd.Index:
    """The index of the customer master ``customers``, ``make(customers)`` the first time
    and the same object afterwards, while the frame and its ``customer_id`` column are the
    same: every chapter's table in the master's order then shares one hash table."""
    values = customers["customer_id"]._values
    key = id(customers)
    hit = _MASTERS.get(key)
    if hit is not None and hit[0]() is customers and hit[1] is values:
        return hit[2]
    index = make(customers)
    try:
        ref = weakref.ref(customers, lambda _r, key=key: _MASTERS.pop(key, None))
    except TypeError:                      # not weak-referenceable: no memo
        return index
    _MASTERS[key] = (ref, values, index)
    return index


def _arrow(index: pd.Index):
    import pyarrow as pa

    if isinstance(index.dtype, pd.StringDtype) and index.dtype.storage == "pyarrow":
        return pa.array(index.array)
    return pa.array(index.to_numpy(dtype=object).astype(str), type=pa.large_string())


def duplicated(index: pd.Index) -> np.ndarray:
    """``index.duplicated()`` as a bool array; a unique text index (the usual case) is
    found unique by Arrow's distinct count, with no hash table left on it.

    >>> duplicated(pd.Index(["a", "b", "a"])).tolist()
    [False, False, True]
    """
    import pyarrow.compute as pc

    if len(index) >= _SMALL and _is_text(index):
        if pc.count_distinct(_arrow(index), mode="all").as_py() == len(index):
            return np.zeros(len(index), dtype=bool)
    return pd.Series(index).duplicated().to_numpy()


def aligned(values, index: pd.Index, fill_value=None):
    """``values.reindex(index)`` for a Series or DataFrame (rows of missing ids get
    ``fill_value``, or NaN / NA) without leaving a hash table on either index (see the
    module docstring). The ids of ``values`` must be unique, as every per-customer
    table's are.

    >>> s = pd.Series(["A", "C"], index=["x", "y"])
    >>> aligned(s, pd.Index(["y", "z"]), fill_value="-").tolist()
    ['C', '-']
    """
    import pyarrow.compute as pc

    if values.index is index or (len(values) == len(index) and values.index.equals(index)):
        return values.set_axis(index)
    if len(values) == 0 or max(len(values), len(index)) < _SMALL \
            or not (_is_text(values.index) and _is_text(index)):
        return values.reindex(index) if fill_value is None else \
            values.reindex(index, fill_value=fill_value)
    pos = pc.index_in(_arrow(index), value_set=_arrow(values.index))
    where = pos.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
    missing = where < 0
    taken = values.iloc[np.where(missing, 0, where)]
    if isinstance(values, pd.DataFrame):
        out = taken.set_axis(index)
        keep = np.broadcast_to(~missing[:, None], out.shape)
    else:
        out = pd.Series(taken.array, index=index, name=values.name)
        keep = ~missing
    if missing.any():
        out = out.where(keep) if fill_value is None else out.where(keep, fill_value)
    return out
