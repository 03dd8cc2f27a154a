"""What ``csi validate`` reports beyond the params themselves: the checks of the input
files they name (each file exists and is readable, the survey has the columns the params
name and answers on their scales, quota values occur, the CRM and fieldwork files read,
enough responses for the models): :func:`check` and :func:`check_report`."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import CSIInputError, InputProblems
from .loading import _normalise, _read_yaml
from .readers import item_scales
from .specs import _Validator, _as_dict, _near
from .vocabulary import SOURCES


def check(path: str | Path) -> list[str]:
    """Everything ``csi validate`` reports: the params' problems and the data's.

    Beyond :func:`validate`: each source file exists and is readable; the survey decodes in
    its encoding and has every column the params name (items, id / customer / status /
    duration columns, segments, competitor columns, quota columns) and readable durations;
    quota values occur in their column; the CRM and fieldwork files have their required
    columns and readable numbers, dates and codes (see :mod:`csi_helpers.sources`); ``truth``
    is valid JSON. For a demo client, files not generated yet are skipped without a
    problem (``csi demo`` and ``workbook.open`` generate them).

    Example
    -------
    >>> for line in check("params/acme.yaml"): print(line)    # doctest: +SKIP
    indicator_system.indicators[3].items[0]: 'Q17' is not a column of data/acme/survey.csv; add the column or fix the item id
    """
    path = Path(path)
    v = _Validator(path)
    raw = _read_yaml(path.resolve(), v)
    if v.problems:
        return v.problems
    p, problems = _normalise(raw, path)
    v.problems = list(problems)
    if p is None or not isinstance(p.get("sources"), dict):
        return v.problems
    _check_data(p, v)
    return v.problems


def check_report(path: str | Path) -> tuple[list[str], list[str]]:
    """(problems, notes) of ``csi validate``: :func:`check`'s problems, and what was found on
    the way (each export's format, the contact-data columns left out of the run)."""
    path = Path(path)
    v = _Validator(path)
    raw = _read_yaml(path.resolve(), v)
    if v.problems:
        return v.problems, []
    p, problems = _normalise(raw, path)
    v.problems = list(problems)
    if p is None or not isinstance(p.get("sources"), dict):
        return v.problems, []
    _check_data(p, v)
    if p["sources"].get("survey"):          # tracking compares surveys (notebook 06)
        _check_tracking(p, v)
    return v.problems, v.notes


def _check_tracking(p: dict, v: _Validator) -> None:
    """The earlier waves a run will be compared with (notebook 06), or why none."""
    from .. import tracking

    settings = p.get("tracking") or {}
    client = p.get("client") or {}
    problems, notes = tracking.check(v.root / "outputs" / str(client.get("id", "")),
                                     client.get("wave") or "", settings.get("compare_with") or None)
    v.problems.extend(problems)
    v.notes.extend(notes)


_NOUN = {"survey": "survey export", "customers": "customer export (CRM)",
         "transactions": "transaction export", "visits": "store-visit export",
         "acquisition": "acquisition-channel export", "channel_costs": "channel cost table",
         "complaints": "complaint log", "ratings": "value-rating sheet",
         "notes": "coded interview and focus-group notes", "secondary": "secondary-data notes",
         "truth": "demo truth file"}


def _check_customer_management(p: dict, tables: dict, v: _Validator) -> None:
    """What notebook 05's chapters on value rating, channels and complaints will ask of
    their inputs and params, checked before the run (each module's own checks)."""
    from ..customers import channels, complaints, value_rating

    def fine(key: str) -> bool:          # the block passed the schema: its checks can run
        return isinstance(p.get(key), dict) and not any(
            line.startswith((f"{key}.", f"{key}:")) for line in v.problems)

    block = p.get("tiering")
    early = block.get("early_adopters") if isinstance(block, dict) else None
    launches = early.get("launches") if isinstance(early, dict) else None
    if isinstance(launches, list) and launches and "transactions" in tables:
        _check_launches(launches, tables["transactions"], v)
    if "ratings" in tables and (fine("value_rating") or not p.get("value_rating")):
        spec = p.get("value_rating") or {}
        if not spec:
            v.add("value_rating", "sources.ratings is given but the value_rating block is "
                                  "empty; name the column or rule of each dimension (see "
                                  "params/demo.yaml) or remove sources.ratings")
        else:
            columns = list(tables["ratings"].columns) + ["contribution", "growth"]
            for line in value_rating.check_spec(spec, columns=columns):
                v.add("", line)
    if "complaints" in tables and fine("complaints"):
        block = p.get("complaints") or {}
        try:
            log = complaints.classify(tables["complaints"], block.get("causes") or {})
            complaints.response_times(log)
        except CSIInputError as exc:
            v.add("complaints", str(exc))
    if ("acquisition" in tables or "channel_costs" in tables) and fine("channels"):
        try:
            channels.settings(p)
        except CSIInputError as exc:
            v.add("channels", str(exc))
        if "acquisition" in tables and "customers" not in tables:
            v.add("sources.acquisition", "the channel evaluation also needs the customer "
                                         "master and the transactions (sources.customers, "
                                         "sources.transactions)")


def _check_launches(launches: list, transactions, v: _Validator) -> None:
    """Each launch of ``tiering.early_adopters.launches`` names a category the transactions
    have, launched before their last date (else nobody can be an early adopter)."""
    where = "tiering.early_adopters.launches"
    if "category" not in transactions.columns:
        v.add(where, "the transactions have no category column, which early adopters need; "
                     "map it with sources.transactions.columns.category or remove the launches")
        return
    counts = transactions["category"].dropna().astype(str).value_counts()
    last = transactions["date"].max() if "date" in transactions.columns else None
    for i, launch in enumerate(launches):
        if not isinstance(launch, dict) or any(         # the schema named it already
                line.startswith(f"{where}[{i}]") for line in v.problems):
            continue
        category, launched = str(launch.get("category")), launch.get("launched")
        if category not in counts.index:
            shown = ", ".join(map(repr, counts.index[:8])) + (" ..." if len(counts) > 8 else "")
            v.add(f"{where}[{i}].category", f"{category!r} is not a category of the "
                                            f"transactions (they have {shown}); write it as "
                                            "their category column does")
        elif launched is not None and last is not None and pd.notna(last) \
                and pd.Timestamp(launched) > pd.Timestamp(last):
            v.add(f"{where}[{i}].launched", f"{launched} is after the last transaction "
                                            f"({pd.Timestamp(last).date()}); nobody can have "
                                            "adopted it yet: check the date or the export")


def _check_data(p: dict, v: _Validator) -> None:
    sources = p["sources"]
    demo = isinstance(p.get("demo"), dict)
    files: dict[str, Path] = {}
    for key in SOURCES:
        spec = sources.get(key)
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            continue
        f = Path(spec["path"]).expanduser()
        f = f if f.is_absolute() else v.root / f
        if not f.exists():
            if demo:
                continue  # generated on demand by csi_helpers.demo
            v.add(f"sources.{key}.path", f"{v.show(f)} does not exist; put the {_NOUN[key]} "
                                         "there, fix the path, or remove sources." + key
                  if key != "survey" else
                  f"{v.show(f)} does not exist; put the {_NOUN[key]} there or fix the path")
            continue
        if not f.is_file():
            v.add(f"sources.{key}.path", f"{v.show(f)} is a folder, not a file; point it at the "
                                         "file")
            continue
        files[key] = f
    if "survey" in files:
        _check_survey(p, files["survey"], v)
    from ..sources import crm, fieldwork
    crm_tables = {}
    for key in ("customers", "transactions", "visits", "acquisition", "channel_costs",
                "complaints", "ratings", "notes", "secondary"):
        if key not in files:
            continue
        spec = {**sources[key], "path": str(files[key])}
        try:
            if key in crm.KINDS:
                table = crm.load(key, spec)
                crm_tables[key] = table.data
                v.notes.append(f"sources.{key}: {v.show(files[key])} read as {table.read_as}; "
                               f"{len(table.data)} rows; columns "
                               + ", ".join(f"{ours} <- {theirs!r}"
                                           for ours, theirs in table.mapped.items()))
            else:
                getattr(fieldwork, f"read_{key}")(spec)
        except InputProblems as exc:
            for line in exc.problems:
                line = _relative(line, files[key], v)
                v.add("" if line.startswith(f"sources.{key}") else f"sources.{key}", line)
        except CSIInputError as exc:
            v.add(f"sources.{key}", _relative(str(exc), files[key], v))
    _check_customer_management(p, crm_tables, v)
    if "transactions" in crm_tables and (
            "customers" in crm_tables or "customers" not in files) and \
            not any(line.startswith(("tiering.", "tiering:")) for line in v.problems):
        from .. import tiering
        for line in tiering.preflight(p, crm_tables.get("customers"),
                                      crm_tables["transactions"]):
            v.add("", line)
    if "truth" in files:
        try:
            json.loads(files["truth"].read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            v.add("sources.truth", f"{v.show(files['truth'])} is not readable JSON ({exc}); "
                                   "regenerate it (delete the demo data and run csi demo)")


def _relative(message: str, f: Path, v: _Validator) -> str:
    from ..sources.text import show_path
    return message.replace(show_path(f), v.show(f), 1)



def _check_survey(p: dict, f: Path, v: _Validator) -> None:
    """The survey export: readable in its format, every column the params name present,
    durations and statuses readable, every text answer a label of its scale, quota values
    present; notes the format found and the contact-data columns left out."""
    from ..sources import survey as survey_src
    from .. import scales as scales_mod

    spec = p["sources"]["survey"]
    shown = v.show(f)
    try:
        export = survey_src.read_export(
            f, spec.get("format") if isinstance(spec.get("format"), str) else "auto",
            spec.get("sheet"), spec.get("encoding") if isinstance(spec.get("encoding"), str)
            else "auto")
    except CSIInputError as exc:
        v.add("sources.survey", _relative(str(exc), f, v))
        return
    v.notes.append(f"sources.survey: {shown} read as {export.describe()}")
    probe = dict(p)
    probe["sources"] = {**p["sources"], "survey": {**spec, "path": str(f)}}
    table = survey_src.survey_table(export, probe)
    for line in table.problems:
        if line not in v.problems:
            v.problems.append(line.replace(export.where, shown))
    if table.excluded:
        v.notes.append("sources.survey: left out of the run (contact data or free text; list "
                       "a column under sources.survey.keep_columns to keep it): "
                       + ", ".join(f"{c!r} ({k})" for c, k in table.excluded.items()))
    resolved = table.spec
    fw = p.get("fieldwork") if isinstance(p.get("fieldwork"), dict) else {}
    cleaning = fw.get("cleaning") if isinstance(fw.get("cleaning"), dict) else {}
    sp = cleaning.get("speeder_seconds")
    if isinstance(sp, (int, float)) and sp > 0 and resolved.get("duration_column") is None:
        v.add("fieldwork.cleaning.speeder_seconds",
              f"{sp} needs the interview duration, but {shown} ({export.format}) has no "
              "duration column; set sources.survey.duration_column, or speeder_seconds: 0")
    if cleaning.get("partials") == "drop" and resolved.get("status_column") is None \
            and "status_column" in spec:
        v.add("fieldwork.cleaning.partials",
              "'drop' needs the completion status; set sources.survey.status_column, or "
              "set partials: keep")
    data = table.data
    try:
        by_item = {q: sc for q, sc in item_scales(p).items() if q in data.columns}
    except (KeyError, TypeError, AttributeError):
        by_item = {}
    names = list((p.get("scales") or {}).keys()) if isinstance(p.get("scales"), dict) else []
    if by_item and all(isinstance(sc, dict) and isinstance(sc.get("points"), int)
                       for sc in by_item.values()):
        try:
            odd = scales_mod.unknown_answers(data, by_item)
        except CSIInputError:
            odd = None
        if odd is not None and len(odd):
            one = p.get("scales") is None or names == ["default"]
            for k, grp in odd.groupby("scale", sort=False):
                key = "scale" if one or k >= len(names) else f"scales.{names[k]}"
                shown_vals = ", ".join(
                    f"{r.raw!r} ({r.count} answer{'s' if r.count > 1 else ''} in "
                    f"{', '.join(r.items[:3])}{' ...' if len(r.items) > 3 else ''})"
                    for r in grp.head(5).itertuples())
                more = f" and {len(grp) - 5} more" if len(grp) > 5 else ""
                v.add(key, f"answers in {shown} that are no label of the scale: {shown_vals}"
                           f"{more}; add them to {key}.labels (or {key}.missing_labels if "
                           "they mean no answer), or give those items another scale")
    if by_item and len(by_item) == len(item_scales(p)) and all(
            isinstance(sc, dict) and isinstance(sc.get("points"), int) for sc in by_item.values()):
        _check_answers(p, data, by_item, resolved, shown, v)
    for col, shares in _as_dict(fw.get("quota")).items():
        if col not in export.data.columns:
            v.add(f"fieldwork.quota.{col}", f"{col!r} is not a column of {shown}; "
                                           f"{_near(col, list(export.data.columns))}use a "
                                           "segment column of the survey")
            continue
        if col not in data.columns:
            v.add(f"fieldwork.quota.{col}", f"{col!r} is not one of sources.survey.segments; "
                                           "list it there to check the quota")
            continue
        found = set(data[col].dropna().astype(str).unique())
        for value in _as_dict(shares):
            if str(value) not in found:
                shown_vals = ", ".join(sorted(found)[:12])
                v.add(f"fieldwork.quota.{col}.{value}",
                      f"{value!r} is not a value of column {col!r} in {shown} "
                      f"(found: {shown_vals}); {_near(str(value), sorted(found))}"
                      "fix the value")


#: Fewer complete responses than this (or than items + 1) cannot carry the models.
MIN_RESPONSES = 30


def _check_answers(p: dict, data, by_item: dict, spec: dict, shown: str, v: _Validator) -> None:
    """Items without answers or with one answer for everyone, and too few responses for the
    models: what would stop reliability, factor analysis and PLS minutes into a run."""
    from .. import scales as scales_mod

    try:
        values = scales_mod.assign_scales(data, by_item, id_column=None).values
    except CSIInputError:
        return
    positions = {it["id"]: i for i, it in enumerate(p["indicator_system"]["items"])}
    for item in values.columns:
        answered = values[item].dropna()
        key = f"indicator_system.items[{positions[item]}]"
        if answered.empty:
            v.add(key, f"{item} has no answer on its scale in {shown}; check its column "
                       "(items[].column) and scale, or remove the item")
        elif answered.nunique() == 1:
            v.add(key, f"{item} has the same answer in all {len(answered)} responses; a constant "
                       "item carries no information and stops reliability and factor "
                       "analysis: remove it from the indicator system")
    status = spec.get("status_column")
    complete = len(data) if not status or status not in data.columns else \
        int((data[status] == "complete").sum())
    need = max(MIN_RESPONSES, len(values.columns) + 1)
    if complete < need:
        v.add("sources.survey", f"{shown} has {complete} complete responses, fewer than the "
                                f"{need} the models need ({MIN_RESPONSES} at least, and more "
                                f"than the {len(values.columns)} items); collect more "
                                "responses or reduce the items")
