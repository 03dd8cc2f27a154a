"""The cross-checks of the params, once each key has its type: the indicator system
(latent variables of the model, indicators, items, weights), the structural model's
paths, the answer scales, fieldwork quotas and cleaning, competitors, the EFA factors and
the tiering thresholds. They also complete the dict (standard latent variables and paths,
each item's scale and column, the full list of reverse-keyed items). No data file is read."""
from __future__ import annotations

from .specs import _INVALID, _Validator, _as_list, _near, _ok, _short
from .vocabulary import LANGUAGES, LV_NAMES, MODEL_LVS


def _cross_checks(p: dict, v: _Validator) -> None:
    _check_engagement(p, v)
    system = p.get("indicator_system")
    item_ids: list[str] = []
    if isinstance(system, dict):
        item_ids = _check_system(system, v)
    if "indicator_system" in p or p.get("scale") is not None or p.get("scales") is not None:
        _check_scales(p, item_ids, v)
    fw = p.get("fieldwork")
    survey = (p.get("sources") or {}).get("survey") if isinstance(p.get("sources"), dict) else None
    survey = survey if isinstance(survey, dict) else {}
    if isinstance(fw, dict):
        _check_fieldwork(fw, survey, item_ids, v)
    if isinstance(survey, dict) and isinstance(survey.get("segments"), list):
        _dups(survey["segments"], "sources.survey.segments", "segment column", v,
              fix="list each column once")
    framing = p.get("framing")
    if isinstance(framing, dict) and isinstance(framing.get("competitors"), list):
        comps = framing["competitors"]
        _dups([c.get("id") if isinstance(c, dict) else _INVALID for c in comps],
              "framing.competitors", "competitor id", v, key="id")
        for i, comp in enumerate(comps):
            if not isinstance(comp, dict) or not isinstance(comp.get("columns"), dict):
                continue
            for item in comp["columns"]:
                if item_ids and item not in item_ids:
                    v.add(f"framing.competitors[{i}].columns.{item}",
                          f"{item!r} is not in indicator_system.items; use the id of the item "
                          "the competitor is rated on")
    analysis = p.get("analysis")
    if isinstance(analysis, dict) and isinstance(analysis.get("efa"), dict):
        nf = analysis["efa"].get("n_factors")
        if isinstance(nf, int) and item_ids and nf > len(item_ids):
            v.add("analysis.efa.n_factors", f"{nf} factors from {len(item_ids)} items; use auto "
                                            "or fewer factors than items")
    tiering = p.get("tiering")
    if isinstance(tiering, dict):
        abc = tiering.get("abc")
        if isinstance(abc, dict) and all(isinstance(abc.get(k), (int, float)) for k in "ab"):
            if not abc["a"] < abc["b"]:
                v.add("tiering.abc.b", f"{abc['b']} is not greater than tiering.abc.a "
                                       f"({abc['a']}); make 0 < a < b <= 1 (cumulative revenue "
                                       "shares closing tiers A and B)")
        life = tiering.get("lifecycle")
        months = life.get("months") if isinstance(life, dict) else None
        if isinstance(months, int) and 1 <= months <= 12 and 12 % months:
            v.add("tiering.lifecycle.months", f"{months} does not divide a year; use 12 "
                                              "(years), 6, 4, 3, 2 or 1")
        pyr = tiering.get("pyramid")
        keys = ("vip", "large", "ordinary")
        if isinstance(pyr, dict) and all(isinstance(pyr.get(k), (int, float)) for k in keys):
            for lo, hi in zip(keys, keys[1:]):
                if not pyr[lo] < pyr[hi]:
                    v.add(f"tiering.pyramid.{hi}", f"{pyr[hi]} is not greater than "
                          f"tiering.pyramid.{lo} ({pyr[lo]}); make the top shares grow: "
                          "vip < large < ordinary <= 1")


def _check_engagement(p: dict, v: _Validator) -> None:
    """What the engagement has to work on: a survey (``sources.survey``, analysed through
    its ``indicator_system``: notebooks 01-04 and 06), a CRM transaction export
    (``sources.transactions``: notebook 05), or at least the indicator system (notebook 01,
    before fieldwork). A survey needs its indicator system. (A customer master without the
    transactions validates: notebook 05 then says which export computes its chapters.)"""
    sources = p.get("sources") if isinstance(p.get("sources"), dict) else None
    if sources is None:
        return                               # the schema named it already
    has_system = "indicator_system" in p
    if "survey" in sources and not has_system:
        v.add("indicator_system", "missing; the survey is analysed through its indicator "
                                  "system (latent variables > indicators > items): add "
                                  "indicator_system (csi new CLIENT --survey FILE drafts it), "
                                  "or remove sources.survey for a CRM-only engagement")
    if not has_system and "transactions" not in sources:
        v.add("sources", "nothing to analyse: give sources.survey (with its indicator_system) "
                         "and/or sources.transactions (the CRM's transaction export)")


def _dups(values, path, what, v, key=None, fix="give each a unique id or remove one") -> None:
    seen: dict = {}
    for i, x in enumerate(values):
        if not _ok(x) or x is None or not isinstance(x, (str, int)):
            continue
        if x in seen:
            kp = f"{path}[{i}]" + (f".{key}" if key else "")
            v.add(kp, f"duplicate {what} {x!r} (also at {path}[{seen[x]}]"
                      f"{'.' + key if key else ''}); {fix}")
        else:
            seen[x] = i


def _check_system(system: dict, v: _Validator) -> list[str]:
    model = system.get("model")
    model_lvs = MODEL_LVS.get(model) if isinstance(model, str) else None
    custom = model == "custom"
    lvs = system.get("latent_variables")
    if lvs is None and model_lvs:
        # not given: the model's latent variables with their standard names
        system["latent_variables"] = [{"id": lv, "name": dict(LV_NAMES[lv])} for lv in model_lvs]
        lvs = system["latent_variables"]
    elif lvs is None and custom:
        v.add("indicator_system.latent_variables",
              "missing; a custom model lists its latent variables, e.g. - {id: SAT, name: "
              "{en: Customer satisfaction, zh: 顾客满意度}}")
    lv_ids: list[str] = []
    if isinstance(lvs, list):
        lv_ids_all = [lv.get("id") if isinstance(lv, dict) else _INVALID for lv in lvs]
        _dups(lv_ids_all, "indicator_system.latent_variables", "latent variable id", v, key="id")
        for i, lid in enumerate(lv_ids_all):
            if isinstance(lid, str) and model_lvs and lid not in model_lvs:
                v.add(f"indicator_system.latent_variables[{i}].id",
                      f"{lid!r} is not a latent variable of the {model} model "
                      f"({', '.join(model_lvs)}); {_near(lid, model_lvs)}"
                      + ("set indicator_system.model: ECSI or remove it" if lid == "IMAG"
                         else "fix or remove it (or use model: custom with paths)"))
        lv_ids = [x for x in lv_ids_all if isinstance(x, str)]
        if model_lvs:   # the model's order; a latent variable left out takes its paths along
            lv_ids = [lv for lv in model_lvs if lv in lv_ids]
        if lv_ids and "SAT" not in lv_ids:
            v.add("indicator_system.latent_variables",
                  "SAT (customer satisfaction) is not among them; every model needs it: the "
                  "CSI and the importance-performance map are built on it. Add {id: SAT, ...}")
    _check_paths(system, model, lv_ids, v)
    model_lvs = tuple(lv_ids) if (model_lvs or custom) else None
    known_items: list[str] = []
    item_list = system.get("items")
    if isinstance(item_list, list):
        ids = [it.get("id") if isinstance(it, dict) else _INVALID for it in item_list]
        _dups(ids, "indicator_system.items", "item id", v, key="id")
        known_items = [x for x in ids if isinstance(x, str)]
    inds = system.get("indicators")
    used: dict[str, str] = {}
    covered_lvs: set[str] = set()
    if isinstance(inds, list):
        _dups([d.get("id") if isinstance(d, dict) else _INVALID for d in inds],
              "indicator_system.indicators", "indicator id", v, key="id")
        for k, ind in enumerate(inds):
            if not isinstance(ind, dict):
                continue
            path = f"indicator_system.indicators[{k}]"
            lv = ind.get("lv")
            if isinstance(lv, str) and model_lvs is not None:
                if lv not in model_lvs:
                    v.add(f"{path}.lv", f"{lv!r} is not a latent variable of the {model} model "
                                        f"({', '.join(model_lvs)}); {_near(lv, model_lvs)}"
                          + ("set indicator_system.model: ECSI or choose one of those"
                             if lv == "IMAG" and model == "ACSI" else
                             "choose one of those, or list it under "
                             "indicator_system.latent_variables"))
                else:
                    covered_lvs.add(lv)
            its = ind.get("items")
            if not isinstance(its, list):
                continue
            for j, q in enumerate(its):
                if not isinstance(q, str):
                    continue
                qp = f"{path}.items[{j}]"
                if known_items and q not in known_items:
                    v.add(qp, f"{q!r} is not in indicator_system.items; add it there with its "
                              "question text, or fix the item id")
                if q in used:
                    v.add(qp, f"{q!r} is already in {used[q]}; each item measures exactly one "
                              "indicator: remove it from one of them")
                else:
                    used[q] = f"{path}.items[{j}]"
            _weights_all_or_none(its, item_list, f"{path}.items", "item", v)
        if model_lvs is not None and all(isinstance(d, dict) and _ok(d.get("lv")) for d in inds):
            for lid in model_lvs:
                if lid not in covered_lvs:
                    v.add("indicator_system.indicators",
                          f"no indicator measures {lid}, a latent variable of the {model} model; add an "
                          f"indicator with lv: {lid}, or leave {lid} out of "
                          "indicator_system.latent_variables")
        # indicator weights: all or none within a latent variable
        by_lv: dict[str, list[tuple[int, dict]]] = {}
        for k, ind in enumerate(inds):
            if isinstance(ind, dict) and isinstance(ind.get("lv"), str):
                by_lv.setdefault(ind["lv"], []).append((k, ind))
        for lv, members in by_lv.items():
            given = [k for k, d in members if "weight" in d]
            if given and len(given) < len(members):
                missing = [k for k, d in members if "weight" not in d]
                v.add(f"indicator_system.indicators[{missing[0]}].weight",
                      f"missing while other indicators of {lv} have a weight; give every "
                      f"indicator of {lv} a weight, or none (equal weights)")
    if isinstance(item_list, list) and isinstance(inds, list) and \
            all(isinstance(d, dict) and _ok(d.get("items")) for d in inds):
        loose = [(i, it["id"]) for i, it in enumerate(item_list)
                 if isinstance(it, dict) and isinstance(it.get("id"), str)
                 and it["id"] not in used]
        if len(loose) > 3:   # one line, not one per item, while the system is being filled in
            ids = [q for _, q in loose]
            v.add("indicator_system.items", f"{len(ids)} items are in no indicator ("
                  f"{', '.join(ids[:12])}{' ...' if len(ids) > 12 else ''}); add each to the "
                  "items of the indicator it measures, or remove it from indicator_system.items")
        for i, q in (loose if len(loose) <= 3 else []):
            v.add(f"indicator_system.items[{i}].id",
                  f"{q!r} is in no indicator; add it to the items of one indicator "
                  "or remove it from indicator_system.items")
    csi = system.get("csi")
    if isinstance(csi, dict) and isinstance(lvs, list):
        weighting = csi.get("weighting")
        weighted = [(i, lv) for i, lv in enumerate(lvs) if isinstance(lv, dict) and "weight" in lv]
        if weighting == "custom":
            if not any(isinstance(lv.get("weight"), (int, float)) and lv["weight"] > 0
                       for _, lv in weighted):
                v.add("indicator_system.csi.weighting",
                      "'custom' needs a positive weight on at least one latent variable; add "
                      "indicator_system.latent_variables[].weight (normalised to sum 1)")
            for i, lv in weighted:
                if isinstance(lv.get("weight"), (int, float)) and lv["weight"] > 0 \
                        and isinstance(lv.get("id"), str) and inds and \
                        isinstance(inds, list) and covered_lvs and lv["id"] not in covered_lvs:
                    v.add(f"indicator_system.latent_variables[{i}].weight",
                          f"{lv['id']} has a weight but no indicators; add indicators or "
                          "remove the weight")
        elif isinstance(weighting, str) and weighted:
            i = weighted[0][0]
            v.add(f"indicator_system.latent_variables[{i}].weight",
                  f"weights are used only with csi.weighting: custom (it is {weighting!r}); "
                  "remove the weights or set indicator_system.csi.weighting: custom")
    return known_items


def _check_paths(system: dict, model, lv_ids: list[str], v: _Validator) -> None:
    """The structural model's paths: for ACSI / ECSI the standard paths among the latent
    variables listed; for ``custom`` the ``paths`` given. Unknown latent variables, a path
    to itself, repeated paths, cycles and latent variables not connected to the others are
    problems; ``system["paths"]`` is set to the model's paths."""
    from .. import pls

    given = system.get("paths")
    if model in MODEL_LVS:
        if given is not None:
            v.add("indicator_system.paths", f"paths are set by the {model} model; remove them, "
                                            "or use model: custom to give your own")
        standard = pls.ECSI if model == "ECSI" else pls.ACSI
        paths = [(a, b) for a, b in standard if a in lv_ids and b in lv_ids]
    elif model == "custom":
        if given is None:
            v.add("indicator_system.paths", "missing; a custom model lists its paths, e.g. "
                                            "[[QUAL, SAT], [SAT, LOY]]")
            return
        if not isinstance(given, list) or not all(isinstance(x, (list, str)) or x is None
                                                  for x in given):
            return
        paths = []
        for i, pair in enumerate(given):
            kp = f"indicator_system.paths[{i}]"
            if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, str)
                                                                      for x in pair):
                v.add(kp, f"{_short(pair)} is not a pair [from, to] of latent variable ids")
                continue
            bad = [x for x in pair if x not in lv_ids]
            if bad:
                v.add(kp, f"{bad[0]!r} is not in indicator_system.latent_variables; "
                          f"{_near(bad[0], lv_ids)}add it there or fix the id")
                continue
            if pair[0] == pair[1]:
                v.add(kp, f"{pair[0]} -> {pair[0]} points to itself; remove it")
                continue
            if tuple(pair) in paths:
                v.add(kp, f"{pair[0]} -> {pair[1]} is listed twice; list each path once")
                continue
            paths.append(tuple(pair))
    else:
        return
    system["paths"] = [list(pth) for pth in paths]
    if not lv_ids:
        return
    # cycles (a recursive model is required by PLS path modelling)
    succ = {lv: [b for a, b in paths if a == lv] for lv in lv_ids}
    state: dict[str, int] = {}

    def visit(lv, trail):
        state[lv] = 1
        for nxt in succ[lv]:
            if state.get(nxt) == 1:
                return trail + [lv, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [lv])
                if found:
                    return found
        state[lv] = 2
        return None

    for lv in lv_ids:
        if lv not in state:
            cycle = visit(lv, [])
            if cycle:
                start = cycle.index(cycle[-1])
                v.add("indicator_system.paths", f"the paths form a cycle "
                      f"{' -> '.join(cycle[start:])}; PLS needs a model without cycles: "
                      "remove one of those paths")
                return
    # connected: every latent variable reaches the others through paths (either way)
    if len(lv_ids) > 1:
        seen, todo = {lv_ids[0]}, [lv_ids[0]]
        while todo:
            lv = todo.pop()
            for a, b in paths:
                for x, y in ((a, b), (b, a)):
                    if x == lv and y not in seen:
                        seen.add(y)
                        todo.append(y)
        alone = [lv for lv in lv_ids if lv not in seen]
        if alone:
            how = ("leaving out latent variables took their paths along; "
                   if model in MODEL_LVS else "")
            v.add("indicator_system.paths",
                  f"{', '.join(alone)} not connected to {lv_ids[0]} by any path; {how}connect "
                  "them (model: custom with paths) or remove them")


def _weights_all_or_none(ids, item_list, path, what, v) -> None:
    if not isinstance(item_list, list):
        return
    by_id = {it.get("id"): it for it in item_list if isinstance(it, dict)}
    members = [by_id.get(q) for q in ids if isinstance(q, str) and q in by_id]
    given = [m for m in members if "weight" in m]
    if given and len(given) < len(members):
        missing = [m["id"] for m in members if "weight" not in m]
        v.add(path, f"items {', '.join(missing)} have no weight while others of this indicator "
                    "do; give every item of the indicator a weight (in indicator_system.items), "
                    "or none")


def _check_scale(scale: dict, item_ids: list[str], v: _Validator, where: str = "scale") -> None:
    points = scale.get("points")
    start = scale.get("start") if isinstance(scale.get("start"), int) else 1
    top = points + start - 1 if isinstance(points, int) else None
    labels = scale.get("labels")
    merged: dict[str, tuple[int, str]] = {}
    if isinstance(labels, dict):
        for lang, mapping in labels.items():
            lp = f"{where}.labels.{lang}"
            if lang not in LANGUAGES:
                v.add(lp, f"unknown language; {_near(lang, LANGUAGES)}use {' | '.join(LANGUAGES)}")
                continue
            if not isinstance(mapping, dict):
                continue
            by_value: dict[int, str] = {}
            for label, value in mapping.items():
                kp = f"{lp}.{label}"
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                    mapping[label] = value
                if isinstance(value, bool) or not isinstance(value, int):
                    v.add(kp, f"{_short(value)} is not a whole number; give each label its value "
                              f"{start}..{top if top is not None else 'points'}")
                    mapping[label] = _INVALID
                    continue
                if isinstance(points, int) and not start <= value <= top:
                    v.add(kp, f"value {value} is outside {start}..{top} ({where}.points = "
                              f"{points}, start = {start}); use a value from {start} to {top}")
                    continue
                if value in by_value:
                    v.add(kp, f"value {value} is also the value of {by_value[value]!r}; each value "
                              "has exactly one label per language")
                else:
                    by_value[value] = label
                if label in merged and merged[label][0] != value:
                    v.add(kp, f"{label!r} is {merged[label][0]} in {where}.labels.{merged[label][1]} "
                              f"but {value} here; one label must mean one value")
                merged.setdefault(label, (value, lang))
            if isinstance(points, int) and all(_ok(x) for x in mapping.values()):
                missing = [str(x) for x in range(start, top + 1) if x not in by_value]
                if missing:
                    v.add(lp, f"no label for value(s) {', '.join(missing)} of the {points}-point "
                              "scale; give each value exactly one label")
    missing_labels = scale.get("missing_labels")
    if isinstance(missing_labels, list):
        for i, lab in enumerate(missing_labels):
            num = str(lab).strip()
            if top is not None and num.lstrip("-").isdigit() and start <= int(num) <= top:
                v.add(f"{where}.missing_labels[{i}]",
                      f"{lab!r} is an answer on this {start}..{top} scale, so it cannot also "
                      "mean no answer; remove it, or give the items that use it as 'no answer' "
                      "a scale of their own")
                continue
            if isinstance(lab, str) and lab in merged:
                v.add(f"{where}.missing_labels[{i}]", f"{lab!r} is also an answer label with value "
                                                   f"{merged[lab][0]}; remove it from one list")
        _dups(missing_labels, f"{where}.missing_labels", "label", v, fix="list each label once")
    reverse = scale.get("reverse_items")
    if isinstance(reverse, list):
        _dups(reverse, f"{where}.reverse_items", "item", v, fix="list each item once")
        for i, q in enumerate(reverse):
            if isinstance(q, str) and item_ids and q not in item_ids:
                v.add(f"{where}.reverse_items[{i}]", f"{q!r} is not in indicator_system.items; "
                                                   "fix the item id or remove it")


def _check_scales(p: dict, item_ids: list[str], v: _Validator) -> None:
    """`scale` (one scale) or `scales` (named scales): check each, resolve every item's
    scale, and normalise: ``p["scales"]`` always holds the named scales, each item its
    ``scale`` and ``column``, and ``p["scale"]`` the first scale with ``reverse_items`` the
    full list of reverse-keyed items (from scale defaults, ``items[].reverse`` and
    ``reverse_items``), so code reading one scale keeps working."""
    one, named = p.get("scale"), p.get("scales")
    if one is not None and named is not None:
        v.add("scales", "given together with scale; keep scales (named scales) and move the "
                        "scale block into it, e.g. scales: {satisfaction: {...}}")
        return
    if one is None and named is None:
        v.add("scales", "missing; add the answer scale, e.g. scales: {satisfaction: {points: 5, "
                        "labels: {zh: {非常不满意: 1, ...}}}} (or a single scale: block)")
        return
    if one is not None:
        if not isinstance(one, dict):
            return
        named = {"default": one}
        prefix = {"default": "scale"}
    else:
        if not isinstance(named, dict):
            return
        prefix = {k: f"scales.{k}" for k in named}
    for name, sc in named.items():
        if isinstance(sc, dict):
            _check_scale(sc, item_ids, v, prefix[name])
    names = list(named)
    system = p.get("indicator_system") if isinstance(p.get("indicator_system"), dict) else {}
    reversed_items: list[str] = []
    for sc in named.values():
        if isinstance(sc, dict) and isinstance(sc.get("reverse_items"), list):
            reversed_items += [q for q in sc["reverse_items"] if isinstance(q, str)]
    for i, it in enumerate(_as_list(system.get("items"))):
        if not isinstance(it, dict) or not isinstance(it.get("id"), str):
            continue
        sc = it.get("scale", names[0] if names else None)
        if isinstance(sc, str) and sc not in named:
            v.add(f"indicator_system.items[{i}].scale",
                  f"{sc!r} is not a scale; {_near(sc, names)}use one of {', '.join(names)} "
                  "(the keys of scales)")
            continue
        it["scale"] = sc
        if "column" not in it:
            it["column"] = it["id"]
        scale = named.get(sc) if isinstance(sc, str) else None
        rev = it.get("reverse", scale.get("reverse") if isinstance(scale, dict) else False)
        if rev is True and it["id"] not in reversed_items:
            reversed_items.append(it["id"])
        if rev is False and "reverse" in it and it["id"] in reversed_items:
            v.add(f"indicator_system.items[{i}].reverse",
                  f"false, but {it['id']} is in a reverse_items list; remove one of the two")
    if one is None:
        first = named[names[0]]
        if isinstance(first, dict):
            p["scale"] = {**first, "reverse_items": reversed_items}
    else:
        p["scales"] = {"default": one}
        if isinstance(one, dict):
            one["reverse_items"] = reversed_items


def _check_fieldwork(fw: dict, survey: dict, item_ids: list[str], v: _Validator) -> None:
    quota = fw.get("quota")
    target = fw.get("target_responses")
    if isinstance(quota, dict):
        for col, shares in quota.items():
            qp = f"fieldwork.quota.{col}"
            if not isinstance(shares, dict) or not all(isinstance(x, (int, float))
                                                       and not isinstance(x, bool)
                                                       for x in shares.values()):
                continue
            vals = list(shares.values())
            counts = all(isinstance(x, int) or float(x).is_integer() for x in vals) and \
                sum(vals) > 1
            if counts:
                total = int(sum(vals))
                if isinstance(target, int) and total != target:
                    v.add(qp, f"counts sum to {total} but fieldwork.target_responses is {target}; "
                              "make them agree or give shares summing to 1")
            elif abs(sum(vals) - 1.0) > 1e-3:
                v.add(qp, f"shares sum to {sum(vals):.4g}, not 1; make the shares sum to 1 "
                          "(or give whole-number counts)")
    cleaning = fw.get("cleaning")
    if isinstance(cleaning, dict):
        sm = cleaning.get("straightline_min_items")
        if isinstance(sm, int) and item_ids and sm > len(item_ids):
            v.add("fieldwork.cleaning.straightline_min_items",
                  f"{sm} is more than the {len(item_ids)} items; use at most {len(item_ids)}")
        sp = cleaning.get("speeder_seconds")
        if isinstance(sp, (int, float)) and sp > 0 and survey and "duration_column" in survey \
                and survey.get("duration_column") is None:
            v.add("fieldwork.cleaning.speeder_seconds",
                  f"{sp} needs the interview duration; set sources.survey.duration_column, or "
                  "set speeder_seconds: 0 (no speeder check)")
        if cleaning.get("partials") == "drop" and survey and "status_column" in survey \
                and survey.get("status_column") is None:
            v.add("fieldwork.cleaning.partials",
                  "'drop' needs the completion status; set sources.survey.status_column, or "
                  "set partials: keep")
