"""Code and label columns of the per-customer tables (tier, rule, stage, tag, contact,
channel, segment ...) as pandas categoricals.

A million customers' tier as text is ~9 MB of Arrow strings, a care text ~42 MB, the
rule-based reasons ~120 MB; as a categorical each is a million one-byte codes and the
few distinct texts once. Building them from codes also spares the full-length numpy
text arrays of ``np.where(cond, "text", ...)`` (4 bytes per character per row).

The categories are the texts that occur, **sorted as text sorts** (code point order,
as pandas sorts ``str``), so what a reader sees does not change with the dtype:

- ``sort_values`` and ``groupby`` (sorted groups) give the order text gives;
- ``value_counts`` has no rows of zero (no unused category) and is sorted by count; only
  exactly tied counts come in the categories' (alphabetical) order instead of the order
  of first appearance;
- the CSV text is the same (Arrow's writer casts a dictionary to its texts; pandas
  writes the texts);
- ``==``, ``isin`` and ``.str`` work on the texts. Two habits do not: filling a missing
  value with a new text (``fillna("-")``: add the text, or fill after ``astype(str)``)
  and ``map`` of a dict onto numbers, which gives a categorical whose order is that of
  the texts, not of the numbers: sort on numbers made from the codes instead.

Example
-------
>>> c = from_codes([2, 0, 2], ["high", "low", "mid"])
>>> c.tolist(), c.categories.tolist()
(['mid', 'high', 'mid'], ['high', 'mid'])
>>> categorical(["b", "a", None]).categories.tolist()
['a', 'b']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["from_codes", "categorical", "as_text"]


def _smallest(n: int):
    return np.int8 if n < 127 else np.int16 if n < 32_767 else np.int32


def from_codes(codes, labels) -> pd.Categorical:
    """``labels[codes]`` (``-1``: missing) as a categorical of the labels that occur,
    sorted as text. ``labels``: distinct texts."""
    codes = np.asarray(codes)
    labels = np.asarray([str(x) for x in labels], dtype=object)
    if len(set(labels)) != len(labels):
        raise ValueError("from_codes: the labels repeat")
    valid = codes >= 0
    used = np.flatnonzero(np.bincount(codes[valid].astype(np.intp), minlength=len(labels)))
    cats = labels[used]
    order = np.argsort(cats.astype(str), kind="stable")
    remap = np.full(len(labels), -1, dtype=np.int64)
    remap[used[order]] = np.arange(len(used))
    new = np.where(valid, remap[np.where(valid, codes, 0).astype(np.intp)], -1)
    dtype = pd.CategoricalDtype(pd.Index(cats[order], dtype="str"))
    return pd.Categorical.from_codes(new.astype(_smallest(len(used))), dtype=dtype)


def categorical(values) -> pd.Categorical:
    """``values`` (texts; missing stays missing) as a categorical of the texts that
    occur, sorted as text."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.array
    elif not isinstance(values, (np.ndarray, pd.api.extensions.ExtensionArray)):
        values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return from_codes(codes, [str(u) for u in uniques])


def as_text(values, fill: str | None = None) -> pd.Series:
    """A Series of texts (dtype ``str``) from a categorical or text Series, missing values
    as ``fill`` (or left missing): what a fill with a new text needs.

    >>> as_text(pd.Series(from_codes([0, -1], ["A"])), fill="-").tolist()
    ['A', '-']
    """
    out = values.astype("str")
    return out if fill is None else out.fillna(fill)
