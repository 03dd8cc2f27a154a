"""Readers of a loaded params dict: the model's latent variables and paths, the blocks,
items and indicators, labels in the client's language, and the items' scales."""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import CSIInputError
from .vocabulary import LANGUAGES, LV_NAMES, MODEL_LVS


def model_lvs(p: Mapping) -> tuple[str, ...]:
    """The latent variables of the params' model, in order: those listed under
    ``indicator_system.latent_variables`` (for ACSI / ECSI in the model's order; all of
    the model's when none are listed)."""
    system = p["indicator_system"]
    listed = [lv["id"] for lv in system.get("latent_variables") or []]
    if system.get("model") not in (*MODEL_LVS, "custom"):
        raise CSIInputError(f"indicator_system.model: {system.get('model')!r} is not a model; "
                            "use ACSI, ECSI or custom")
    std = MODEL_LVS.get(system["model"])
    if std:
        return tuple(lv for lv in std if lv in listed) if listed else std
    return tuple(listed)


def model_paths(p: Mapping) -> list[tuple[str, str]]:
    """The structural model's (from, to) paths: the standard ACSI / ECSI paths among the
    model's latent variables, or ``indicator_system.paths`` of a custom model."""
    system = p["indicator_system"]
    if system.get("model") == "custom":
        return [tuple(pth) for pth in system.get("paths") or []]
    from .. import pls
    lvs = set(model_lvs(p))
    standard = pls.ECSI if system["model"] == "ECSI" else pls.ACSI
    return [(a, b) for a, b in standard if a in lvs and b in lvs]


def indicators(p: Mapping) -> list[dict]:
    """The indicators (dicts with id, lv, name, items, principles ...), in params order."""
    return [dict(d) for d in p["indicator_system"]["indicators"]]


def items(p: Mapping) -> list[str]:
    """The item ids of ``indicator_system.items``, in params order."""
    return [it["id"] for it in p["indicator_system"]["items"]]


def blocks(p: Mapping) -> dict[str, list[str]]:
    """``{lv_id: [item ids]}``: each latent variable's items (via its indicators), the
    latent variables in the model's order (IMAG, EXPE, QUAL, VAL, SAT, COMP, LOY), items in
    indicator order. This is the ``blocks`` argument of ``pls.fit`` and ``factors.cfa``.

    Example
    -------
    >>> blocks(load("params/demo.yaml"))["IMAG"]       # doctest: +SKIP
    ['Q01', 'Q03', 'Q02']
    """
    out: dict[str, list[str]] = {lv: [] for lv in model_lvs(p)}
    for ind in p["indicator_system"]["indicators"]:
        out.setdefault(ind["lv"], []).extend(ind["items"])
    return {lv: qs for lv, qs in out.items() if qs}


def _text(value, lang: str) -> str | None:
    if isinstance(value, Mapping):
        return value.get(lang) or value.get("en") or next(iter(value.values()), None)
    return str(value) if value not in (None, "") else None


def label(p: Mapping, obj: Any, lang: str | None = None) -> str:
    """The readable label of a latent variable, indicator, item, competitor or the CSI, in
    `lang` (default ``client.language``; falls back to English, then to any language, then
    to the id).

    `obj` is an id (``"SAT"``, ``"I05"``, ``"Q17"``, ``"compA"``, ``"CSI"``) or a dict
    from the params (its ``name`` or, for items, ``text``).

    Example
    -------
    >>> label(p, "SAT", "zh")          # doctest: +SKIP
    '顾客满意度'
    """
    lang = lang or (p.get("client") or {}).get("language") or "en"
    if lang not in LANGUAGES:
        raise CSIInputError(f"lang={lang!r}: use 'en' or 'zh' (client.language)")
    if isinstance(obj, Mapping):
        for key in ("name", "text"):
            t = _text(obj.get(key), lang)
            if t:
                return t
        return str(obj.get("id", ""))
    key = str(obj)
    system = p.get("indicator_system") or {}
    if key == "CSI":
        return _text((system.get("csi") or {}).get("name"), lang) or "CSI"
    for group, field in (("latent_variables", "name"), ("indicators", "name"), ("items", "text")):
        for x in system.get(group) or []:
            if x.get("id") == key:
                return _text(x.get(field), lang) or key
    for comp in ((p.get("framing") or {}).get("competitors") or []):
        if comp.get("id") == key:
            return _text(comp.get("name"), lang) or key
    if key in LV_NAMES:
        return LV_NAMES[key][lang]
    return key


def item_scales(p: Mapping) -> dict[str, dict]:
    """``{item id: its scale}`` (``scales.<name>`` or the single ``scale``), params order.

    Example
    -------
    >>> item_scales(load("params/demo.yaml"))["Q01"]["points"]     # doctest: +SKIP
    5
    """
    named = p.get("scales") or {"default": p["scale"]}
    first = next(iter(named))
    return {it["id"]: named[it.get("scale") or first] for it in p["indicator_system"]["items"]}


def item_points(p: Mapping) -> dict[str, int]:
    """``{item id: number of scale points}``."""
    return {q: int(sc["points"]) for q, sc in item_scales(p).items()}


def scale_points(p: Mapping):
    """The scale length of the items: one number when all items share it, else
    ``{item: points}`` (what ``indices.item_statistics`` and ``scales.distribution`` take)."""
    per = item_points(p)
    return next(iter(per.values())) if len(set(per.values())) == 1 else per


def reverse_items(p: Mapping) -> list[str]:
    """The reverse-keyed items (scale defaults, ``items[].reverse``, ``reverse_items``)."""
    return list((p.get("scale") or {}).get("reverse_items") or [])


def scale_labels(p: Mapping) -> dict[str, int]:
    """Every answer label -> its value, both languages merged (``scale.labels``)."""
    out: dict[str, int] = {}
    for mapping in (p["scale"]["labels"] or {}).values():
        out.update(mapping)
    return out


def labels(p: Mapping, lang: str | None = None) -> dict[str, str]:
    """``{code: name}`` in ``lang`` for the CSI, every latent variable, indicator, item and
    competitor of the params: what report tables show instead of codes.

    Example
    -------
    >>> labels(load("params/demo.yaml"), "zh")["SAT"]       # doctest: +SKIP
    '顾客满意度'
    """
    system = p.get("indicator_system") or {}
    ids = (["CSI"] + [lv["id"] for lv in system.get("latent_variables") or []]
           + [ind["id"] for ind in system.get("indicators") or []]
           + [it["id"] for it in system.get("items") or []]
           + [c["id"] for c in (p.get("framing") or {}).get("competitors") or []])
    return {i: label(p, i, lang) for i in ids}
