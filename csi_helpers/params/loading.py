"""Reading a params file: the YAML (with the limit on alias expansion), validation against
the schema and the cross-checks, :func:`load` (defaults filled, source paths resolved, the
survey's platform columns filled in) and :class:`ParamsError`."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import yaml

from ..errors import CSIInputError
from .schema import _SCHEMA
from .specs import _Validator
from .system import _cross_checks


class ParamsError(CSIInputError):
    """The params (or the inputs they name) have problems; ``.problems`` lists them all,
    one line each: ``key.path: what is wrong; how to fix it``."""

    def __init__(self, problems: list[str], params_file: str | Path | None = None):
        self.problems = list(problems)
        self.params_file = params_file
        where = f" in {_show(params_file)}" if params_file else ""
        super().__init__(f"{len(self.problems)} problem(s){where}:\n  " + "\n  ".join(self.problems))


def _show(path) -> str:
    if path is None:
        return ""
    from ..sources.text import show_path
    return show_path(path)


#: Values a params file may expand to (YAML aliases can nest into billions: "billion laughs").
MAX_YAML_NODES = 200_000


def _expanded_size(node) -> tuple[int, int]:
    """(values the node graph expands to once aliases are followed, line of the first alias).

    Linear in the graph's size: each node's expanded size is computed once (aliases point
    to the same node object); the count stops growing past the limit.
    """
    memo: dict[int, int] = {}
    first_alias = [0]

    def size(n, seen_ids=()) -> int:
        key = id(n)
        if key in memo:
            if not first_alias[0] and getattr(n, "start_mark", None) is not None:
                first_alias[0] = n.start_mark.line + 1
            return memo[key]
        if key in seen_ids:          # a recursive alias: refuse as too large
            return MAX_YAML_NODES + 1
        memo[key] = 0
        total = 1
        if isinstance(n, yaml.SequenceNode):
            for child in n.value:
                total += size(child, (*seen_ids, key))
        elif isinstance(n, yaml.MappingNode):
            for k, child in n.value:
                total += size(k, (*seen_ids, key)) + size(child, (*seen_ids, key))
        total = min(total, MAX_YAML_NODES + 1)
        memo[key] = total
        return total

    if node is None:
        return 0, 0
    return size(node), first_alias[0]


def _read_yaml(path: Path, v: _Validator):
    where = v.show(path)
    if not path.exists():
        v.add(where, "params file not found; create it with `csi new CLIENT` or fix the path")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        v.add(where, f"line {line} is not UTF-8; save the params file as UTF-8")
        return None
    except OSError as exc:
        v.add(where, f"cannot be read ({exc.strerror}); check the file's permissions")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        size, alias_line = _expanded_size(node)
        if size > MAX_YAML_NODES:
            v.add(where, f"line {alias_line}: the YAML aliases (*name) expand to more than "
                         f"{MAX_YAML_NODES:,} values; write the values out instead of "
                         "nesting aliases")
            return None
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        v.add(where, f"{at}YAML syntax error ({what}); fix the indentation or quote the value")
        return None
    if raw is None:
        v.add(where, "the file is empty; start from params/_template.yaml (`csi new CLIENT`)")
        return None
    return raw


def _normalise(raw, params_file) -> tuple[dict | None, list[str]]:
    v = _Validator(Path(params_file) if params_file else None)
    if not isinstance(raw, Mapping):
        v.add("", f"the params file must be a mapping of keys (client, indicator_system, ...), "
                  f"got {type(raw).__name__}; start from params/_template.yaml")
        return None, v.problems
    p = _SCHEMA.norm(raw, "", v)
    _cross_checks(p, v)
    return p, v.problems


def validate(raw: Mapping, params_file: str | Path | None = None) -> list[str]:
    """Every problem of the params themselves, one line each; empty when they are valid.

    Checks keys (unknown keys with a "did you mean"), types, allowed values and ranges,
    duplicate ids, cross-references (indicator -> latent variable of the model, indicator ->
    item, every item in exactly one indicator, reverse-keyed items, competitor items),
    the scale (points 3..11, each language labelling every value once), quota shares and
    the tiering thresholds. It reads no data file: :func:`check` adds those checks.

    Example
    -------
    >>> validate({"client": {"id": "acme", "langauge": "zh"}}, "params/acme.yaml")[:1]
    ["client.langauge: unknown key; did you mean 'language'? allowed here: id, name, industry, language, wave, currency"]
    """
    return _normalise(raw, params_file)[1]


def load(path: str | Path) -> dict:
    """Read ``params/<client>.yaml``, validate it, fill defaults, resolve source paths.

    Returns the params as a dict with the structure of ``params/demo.yaml`` (every optional
    key present with its default, see ``params/_template.yaml``; absent sources stay
    absent) and every ``sources.<name>.path`` an absolute path string. Raises
    :class:`ParamsError` listing every problem. The data files are not read (see
    :func:`check`).

    Example
    -------
    >>> p = load("params/demo.yaml")                      # doctest: +SKIP
    >>> p["analysis"]["efa"]["rotation"]                  # doctest: +SKIP
    'oblimin'
    """
    path = Path(path)
    v = _Validator(path)
    raw = _read_yaml(path.resolve(), v)
    if v.problems:
        raise ParamsError(v.problems, path)
    p, problems = _normalise(raw, path)
    if problems:
        raise ParamsError(problems, path)
    root = path.resolve().parent.parent
    for spec in p["sources"].values():
        if isinstance(spec, dict) and spec.get("path"):
            src = Path(spec["path"]).expanduser()
            spec["path"] = str((src if src.is_absolute() else root / src).resolve())
    if "survey" in p["sources"]:
        resolve_survey(p["sources"]["survey"])
    return p


def resolve_survey(spec: dict) -> str:
    """Fill the survey's id / duration / status / time columns the params leave out with the
    platform's own (问卷星: 序号, 所用时间, 提交答卷时间; Qualtrics: ResponseId, ...), from the
    export's first rows; return the format found (``table`` when the file is absent)."""
    from ..sources.survey import peek_format, platform_defaults

    path = Path(spec["path"]) if isinstance(spec.get("path"), str) else None
    fmt = "table"
    if path is not None and path.is_file():
        try:
            fmt = peek_format(path, spec.get("format") or "auto", spec.get("sheet"),
                              spec.get("encoding") or "auto")
        except (CSIInputError, OSError):
            fmt = "table"
    for key, default in platform_defaults(fmt).items():
        spec.setdefault(key, default)
    return fmt
