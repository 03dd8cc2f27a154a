"""Wave over wave (连续跟踪): the CSI of this run against the client's earlier waves.

A consultant's second quarter with a client is one more run, compared with the last. This
module reads earlier runs of the same client from their run folders (``manifest.json`` for
the params they ran with, ``artifacts/survey_clean.csv`` for the cleaned answers) and
compares only what is comparable:

* :func:`system_changes`: what changed in the indicator system between two waves, item by
  item: ``added``, ``dropped``, ``reworded`` (its text changed, in any language),
  ``moved`` (to another indicator or latent variable), ``scale changed`` (points, start
  or labels). A changed item is left out of every comparison, and the table says so.
* :func:`compare`: the CSI, every latent variable and indicator per wave (mean of the
  respondents' 0-100 scores, rolled up with the *current* indicator system restricted to
  the comparable items, 95% t interval), and the change since the previous wave: its 95%
  bootstrap interval (respondents resampled within each wave, percentile) and Welch's t
  test of the two means. Before the means are read as comparable, measurement invariance
  across the two waves is tested (:func:`csi_helpers.invariance.invariance`): only at
  the scalar level are the changes in means reported as comparable.
* the drivers whose importance (correlation with satisfaction) or performance moved most.

Example
-------
>>> t = compare("outputs/demo/20261202-...-q4", ["outputs/demo/20261125-...-q3"])  # doctest: +SKIP
>>> t.change.loc["CSI", ["previous", "current", "difference", "p_value"]]           # doctest: +SKIP
"""
from __future__ import annotations

import copy
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import CSIInputError, CSIWarning

__all__ = ["system_changes", "comparable_items", "earlier_runs", "compare", "Tracking",
           "CHANGES"]

CHANGES = ("added", "dropped", "reworded", "moved", "scale changed")


# ----------------------------------------------------------------------------- the system
def _items(p: Mapping) -> dict[str, dict]:
    system = p.get("indicator_system") or {}
    where = {}
    for ind in system.get("indicators") or []:
        for q in ind.get("items") or []:
            where[q] = (ind["id"], ind.get("lv"))
    from .params import item_scales

    scales = item_scales(p)
    out = {}
    for it in system.get("items") or []:
        sc = scales[it["id"]]
        text = it.get("text")
        out[it["id"]] = {
            "text": text if isinstance(text, Mapping) else {"": text},
            "indicator": where.get(it["id"], (None, None))[0],
            "lv": where.get(it["id"], (None, None))[1],
            "scale": (sc.get("points"), sc.get("start", 1),
                      json.dumps(sc.get("labels") or {}, sort_keys=True, ensure_ascii=False)),
        }
    return out


def _text(t: Mapping) -> str:
    return " / ".join(str(v) for v in t.values() if v)


def system_changes(current: Mapping, earlier: Mapping) -> pd.DataFrame:
    """Item by item, what changed in the indicator system from ``earlier`` to ``current``
    params: one row per changed item with ``item``, ``change`` (one of :data:`CHANGES`;
    an item can have several rows), ``before`` and ``after``.

    >>> a = {"indicator_system": {"items": [{"id": "Q1", "text": "Staff"}],
    ...      "indicators": [{"id": "I1", "lv": "QUAL", "items": ["Q1"]}]}, "scale": {"points": 5}}
    >>> b = copy.deepcopy(a); b["indicator_system"]["items"][0]["text"] = "Staff courtesy"
    >>> system_changes(b, a)[["item", "change"]].values.tolist()
    [['Q1', 'reworded']]
    """
    now, before = _items(current), _items(earlier)
    rows = []
    for q in now:
        if q not in before:
            rows.append({"item": q, "change": "added", "before": "", "after": _text(now[q]["text"])})
            continue
        a, b = before[q], now[q]
        if {k: v for k, v in a["text"].items() if v} != {k: v for k, v in b["text"].items() if v}:
            rows.append({"item": q, "change": "reworded", "before": _text(a["text"]),
                         "after": _text(b["text"])})
        if (a["indicator"], a["lv"]) != (b["indicator"], b["lv"]):
            rows.append({"item": q, "change": "moved", "before": f"{a['indicator']} ({a['lv']})",
                         "after": f"{b['indicator']} ({b['lv']})"})
        if a["scale"] != b["scale"]:
            rows.append({"item": q, "change": "scale changed",
                         "before": f"{a['scale'][0]} points from {a['scale'][1]}",
                         "after": f"{b['scale'][0]} points from {b['scale'][1]}"})
    for q in before:
        if q not in now:
            rows.append({"item": q, "change": "dropped", "before": _text(before[q]["text"]),
                         "after": ""})
    return pd.DataFrame(rows, columns=["item", "change", "before", "after"])


def comparable_items(current: Mapping, earlier: Mapping) -> list[str]:
    """The items of ``current`` asked the same way, in the same place, in ``earlier``."""
    changed = set(system_changes(current, earlier)["item"])
    return [q for q in _items(current) if q not in changed]


def _restricted(p: Mapping, keep: Sequence[str]) -> dict:
    """The params with the indicator system cut down to the items ``keep``: empty
    indicators and latent variables go, so scores roll up from comparable items only."""
    out = copy.deepcopy(dict(p))
    system = out["indicator_system"]
    keep = set(keep)
    system["items"] = [it for it in system["items"] if it["id"] in keep]
    inds = []
    for ind in system.get("indicators") or []:
        ind["items"] = [q for q in ind["items"] if q in keep]
        if ind["items"]:
            inds.append(ind)
    system["indicators"] = inds
    alive = {ind["lv"] for ind in inds}
    system["latent_variables"] = [lv for lv in system.get("latent_variables") or []
                                  if lv["id"] in alive]
    scale = out.get("scale")
    if isinstance(scale, dict) and scale.get("reverse_items"):
        scale["reverse_items"] = [q for q in scale["reverse_items"] if q in keep]
    return out


# ----------------------------------------------------------------------------- the runs
def _manifest(run_dir: Path) -> dict:
    path = Path(run_dir) / "manifest.json"
    if not path.exists():
        raise CSIInputError(f"{run_dir}: no manifest.json; name a run folder of csi run")
    return json.loads(path.read_text(encoding="utf-8"))


def earlier_runs(run_dir: str | Path, compare_with: Sequence[str] | None = None) -> list[Path]:
    """The earlier waves of this run's client, oldest first: for each earlier wave label
    the latest complete run started before this one (``compare_with``: wave labels or run
    ids to use instead). A run of the same wave as this one is never an earlier wave."""
    run_dir = Path(run_dir)
    me = _manifest(run_dir)
    wave, started = me.get("wave") or "", me.get("started") or ""
    found: dict[str, tuple[str, Path]] = {}
    for other in sorted(run_dir.parent.iterdir()):
        if other == run_dir or not (other / "manifest.json").exists():
            continue
        try:
            m = _manifest(other)
        except (CSIInputError, ValueError):
            continue
        if m.get("status") != "ok" or not (other / "artifacts" / "survey_clean.csv").exists():
            continue
        w = m.get("wave") or ""
        if compare_with:
            if w not in compare_with and m.get("run_id") not in compare_with:
                continue
        elif w == wave or (m.get("started") or "") >= started:
            continue
        if w not in found or (m.get("started") or "") > found[w][0]:
            found[w] = (m.get("started") or "", other)
    if compare_with:
        named = {w for w in found} | {_manifest(p).get("run_id") for _, p in found.values()}
        missing = [c for c in compare_with if c not in named]
        if missing:
            raise CSIInputError(f"tracking.compare_with: {missing} match no complete run of "
                                f"this client in {run_dir.parent}; name a wave label or run id")
    return [p for _, p in sorted(found.values())]


def check(client_dir: str | Path, wave: str, compare_with: Sequence[str] | None = None
          ) -> tuple[list[str], list[str]]:
    """(problems, notes) for ``csi validate``: which earlier waves a run of ``wave`` will be
    compared with (the same rule as :func:`earlier_runs`, before any run starts)."""
    client_dir = Path(client_dir)
    found: dict[str, tuple[str, str]] = {}
    if client_dir.is_dir():
        for other in sorted(client_dir.iterdir()):
            try:
                m = _manifest(other)
            except (CSIInputError, ValueError, OSError):
                continue
            if m.get("status") != "ok" or not (other / "artifacts" / "survey_clean.csv").exists():
                continue
            w = m.get("wave") or ""
            if (compare_with and w not in compare_with and m.get("run_id") not in compare_with) \
                    or (not compare_with and w == wave):
                continue
            if w not in found or (m.get("started") or "") > found[w][0]:
                found[w] = (m.get("started") or "", m.get("run_id") or other.name)
    if compare_with:
        named = set(found) | {run for _, run in found.values()}
        missing = [c for c in compare_with if c not in named]
        if missing:
            return ([f"tracking.compare_with: {missing} match no complete run in "
                     f"{client_dir}; name a wave label or run id of a complete run, or remove "
                     "the key to compare with every earlier wave"], [])
    if not found:
        return [], [f"tracking: no earlier wave of this client in {client_dir}; the tracking "
                    "chapter is left out until one exists"]
    listed = ", ".join(f"{w} (run {run})" for w, (_, run) in sorted(found.items(),
                                                                     key=lambda kv: kv[1][0]))
    return [], [f"tracking: wave {wave or '(no label)'} will be compared with {listed}"]


# ----------------------------------------------------------------------------- comparing
@dataclass
class Tracking:
    """What notebook 06 shows (see the module docstring): ``waves`` (scores per wave),
    ``change`` (current against the previous wave), ``system`` (indicator-system
    changes), ``left_out`` (items not compared), ``invariance`` (or None, with
    ``invariance_note``), ``comparable`` (means comparable across the waves),
    ``drivers`` (importance and performance per indicator in both waves), ``segments``
    (the change of the CSI and each latent variable within each segment, Welch's t)."""

    waves: pd.DataFrame
    change: pd.DataFrame
    system: pd.DataFrame
    left_out: list[str]
    invariance: object
    invariance_note: str
    comparable: bool
    drivers: pd.DataFrame
    wave_labels: list[str]
    segments: pd.DataFrame


def _wave(run_dir: Path) -> tuple[str, dict, pd.DataFrame]:
    m = _manifest(run_dir)
    path = Path(run_dir) / "artifacts" / "survey_clean.csv"
    if not path.exists():
        raise CSIInputError(f"{run_dir}: no artifacts/survey_clean.csv; the run did not "
                            "complete step 02")
    return m.get("wave") or m.get("run_id"), m["params"], pd.read_csv(path, index_col=0)


def _scores(survey: pd.DataFrame, p: Mapping):
    from . import indices

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        roll = indices.rollup(indices.item_positions(survey, p), p)
    return roll


def _mean_ci(x: np.ndarray) -> tuple[float, float, float, int]:
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 2:
        return (float(x.mean()) if n else np.nan, np.nan, np.nan, n)
    m, se = x.mean(), x.std(ddof=1) / np.sqrt(n)
    h = stats.t.ppf(0.975, n - 1) * se
    return float(m), float(m - h), float(m + h), n


def _boot_diff(a: np.ndarray, b: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """Bootstrap distribution (n_boot, k) of mean(b) - mean(a), respondents resampled
    within each wave; NaN answers left out of each mean."""
    def means(x):
        n = len(x)
        counts = np.zeros((n_boot, n))
        idx = rng.integers(0, n, size=(n_boot, n))
        np.add.at(counts, (np.repeat(np.arange(n_boot), n), idx.ravel()), 1.0)
        ok = ~np.isnan(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (counts @ np.where(ok, x, 0.0)) / (counts @ ok.astype(float))
    return means(b) - means(a)


def compare(current_run_dir: str | Path, earlier_run_dirs: Sequence[str | Path],
            n_boot: int = 1000, seed=20261202, target: str = "SAT") -> Tracking:
    """The tables of the tracking chapter (see the module docstring).

    ``earlier_run_dirs``: run folders of earlier waves, oldest first (see
    :func:`earlier_runs`); the last is the previous wave the change is measured against.
    """
    if not earlier_run_dirs:
        raise CSIInputError("tracking.compare: no earlier wave to compare with; run the "
                            "client's earlier wave first (or name it in tracking.compare_with)")
    label_now, p_now, survey_now = _wave(Path(current_run_dir))
    earlier = [_wave(Path(d)) for d in earlier_run_dirs]
    label_prev, p_prev, survey_prev = earlier[-1]
    system = system_changes(p_now, p_prev)
    keep = [q for q in _items(p_now)
            if all(q in comparable_items(p_now, pe) for _, pe, _ in earlier)]
    left_out = [q for q in _items(p_now) if q not in keep] + \
        [q for q in _items(p_prev) if q not in _items(p_now)]
    pc = _restricted(p_now, keep)

    rolls = [(lab, _scores(s, pc)) for lab, _, s in earlier] + [(label_now, _scores(survey_now, pc))]
    levels = {"CSI": "csi"}
    for row in rolls[-1][1].table.itertuples():
        if row.level in ("latent_variable", "indicator"):
            levels[row.id] = row.level
    measures = list(levels)
    rows = []
    for lab, roll in rolls:
        for meas in measures:
            m, lo, hi, n = _mean_ci(roll.respondents[meas].to_numpy(float))
            rows.append({"wave": lab, "measure": meas, "level": levels[meas], "score": m,
                         "ci_low": lo, "ci_high": hi, "n": n})
    waves = pd.DataFrame(rows)

    a = rolls[-2][1].respondents[measures].to_numpy(float)
    b = rolls[-1][1].respondents[measures].to_numpy(float)
    rng = np.random.default_rng(seed)
    boot = _boot_diff(a, b, int(n_boot), rng)
    change_rows = []
    for k, meas in enumerate(measures):
        x, y = a[:, k][~np.isnan(a[:, k])], b[:, k][~np.isnan(b[:, k])]
        t = stats.ttest_ind(y, x, equal_var=False)
        lo, hi = np.nanpercentile(boot[:, k], [2.5, 97.5])
        change_rows.append({"measure": meas, "level": levels[meas], "previous": x.mean(),
                            "current": y.mean(), "difference": y.mean() - x.mean(),
                            "ci_low": lo, "ci_high": hi, "t": float(t.statistic),
                            "df": float(t.df), "p_value": float(t.pvalue)})
    change = pd.DataFrame(change_rows).set_index("measure")
    change["significant"] = change["p_value"] < 0.05

    inv, note = _invariance(pc, survey_prev, survey_now, label_prev, label_now)
    comparable = bool(inv is not None and inv.verdict == "scalar")
    drivers = _drivers(rolls[-2][1], rolls[-1][1], pc, target)
    segs = _segments(p_now, survey_prev, survey_now, rolls[-2][1], rolls[-1][1],
                     [m for m in measures if levels[m] != "indicator"])
    return Tracking(waves=waves, change=change, system=system, left_out=left_out,
                    invariance=inv, invariance_note=note, comparable=comparable,
                    drivers=drivers, wave_labels=[lab for lab, _ in rolls], segments=segs)


def _segments(p: Mapping, prev: pd.DataFrame, now: pd.DataFrame, roll_prev, roll_now,
              measures: list[str]) -> pd.DataFrame:
    """Per segment column and level: the change of each measure, with Welch's t test."""
    spec = ((p.get("sources") or {}).get("survey") or {})
    rows = []
    for seg in spec.get("segments") or []:
        if seg not in prev.columns or seg not in now.columns:
            continue
        for level in sorted(set(prev[seg].dropna()) & set(now[seg].dropna()), key=str):
            a = roll_prev.respondents.loc[prev.index[prev[seg] == level]]
            b = roll_now.respondents.loc[now.index[now[seg] == level]]
            for meas in measures:
                x, y = a[meas].dropna().to_numpy(), b[meas].dropna().to_numpy()
                if len(x) < 2 or len(y) < 2:
                    continue
                t = stats.ttest_ind(y, x, equal_var=False)
                rows.append({"segment": seg, "level": level, "measure": meas,
                             "previous": x.mean(), "current": y.mean(),
                             "difference": y.mean() - x.mean(), "n_previous": len(x),
                             "n_current": len(y), "p_value": float(t.pvalue)})
    return pd.DataFrame(rows, columns=["segment", "level", "measure", "previous", "current",
                                       "difference", "n_previous", "n_current", "p_value"])


def _invariance(p: Mapping, prev: pd.DataFrame, now: pd.DataFrame, lab_prev, lab_now):
    from . import params as params_mod
    from .invariance import invariance

    model = {lv: items for lv, items in params_mod.blocks(p).items() if len(items) >= 2}
    if len(model) < 1:
        return None, "no latent variable keeps two comparable items: invariance not tested"
    items = [q for its in model.values() for q in its]
    both = pd.concat([prev[items].assign(_wave=str(lab_prev)), now[items].assign(_wave=str(lab_now))],
                     ignore_index=True)
    try:
        result = invariance(both, model, group="_wave")
    except CSIInputError as exc:
        return None, f"invariance not tested: {exc}"
    left = [lv for lv, its in params_mod.blocks(p).items() if len(its) < 2]
    note = (f"latent variable(s) {', '.join(left)} with a single comparable item are not in "
            "the invariance model" if left else "")
    return result, note


def _drivers(prev, now, p: Mapping, target: str) -> pd.DataFrame:
    from . import indices

    try:
        a = indices.importance_performance(prev, p, target=target)
        b = indices.importance_performance(now, p, target=target)
    except CSIInputError:
        return pd.DataFrame(columns=["indicator", "importance_previous", "importance",
                                     "performance_previous", "performance", "moved"])
    m = a[["indicator", "importance", "performance"]].merge(
        b[["indicator", "lv", "importance", "performance"]], on="indicator",
        suffixes=("_previous", ""))
    m["importance_change"] = m["importance"] - m["importance_previous"]
    m["performance_change"] = m["performance"] - m["performance_previous"]
    # moved: performance change in points plus importance change scaled to points (x100)
    m["moved"] = m["performance_change"].abs() + 100 * m["importance_change"].abs()
    return m.sort_values("moved", ascending=False).reset_index(drop=True)


# ----------------------------------------------------------------------------- paths
def paths_between(current_run_dir: str | Path, previous_run_dir: str | Path,
                  n_perm: int = 1000, seed=20261202):
    """The multi-group PLS permutation test (:func:`csi_helpers.pls.mga`) of every path
    between the previous wave and this one, on the items comparable between them."""
    from . import measurement, pls

    lab_now, p_now, s_now = _wave(Path(current_run_dir))
    lab_prev, p_prev, s_prev = _wave(Path(previous_run_dir))
    pc = _restricted(p_now, comparable_items(p_now, p_prev))
    blocks, paths = measurement.structural_model(pc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        x_prev = measurement.analysis_items(s_prev, pc)
        x_now = measurement.analysis_items(s_now, pc)
    both = pd.concat([x_prev.assign(_wave=str(lab_prev)), x_now.assign(_wave=str(lab_now))],
                     ignore_index=True)
    return pls.mga(both, blocks, paths, group="_wave", groups=[str(lab_prev), str(lab_now)],
                   n_perm=n_perm, seed=seed)


# ----------------------------------------------------------------------------- showing
_WORDS = {
    "en": {"title": "The CSI and the latent variables, wave by wave (95% CI)", "x": "Wave",
           "y": "Score (0-100)",
           "scalar": "Scalar invariance holds between {a} and {b}: the items measure the same "
                     "in both waves, so the changes in the means can be compared.",
           "metric": "Only metric invariance holds between {a} and {b}: loadings are equal but "
                     "intercepts differ, so paths and correlations compare, score means only "
                     "with care.",
           "configural": "Only configural invariance holds between {a} and {b}: read the "
                         "changes in the means with great care.",
           "none": "The measurement model does not fit in both waves: the changes in the "
                   "means are not comparable.",
           "untested": "Measurement invariance was not tested ({note})."},
    "zh": {"title": "各期顾客满意度指数与潜变量得分（95% 置信区间）", "x": "测评期",
           "y": "得分（0-100）",
           "scalar": "{a} 与 {b} 之间满足标量不变性：两期题目的测量含义相同，均值的变化可以比较。",
           "metric": "{a} 与 {b} 之间仅满足度量不变性：载荷相同而截距不同，路径与相关可以比较，"
                     "得分均值的比较需谨慎。",
           "configural": "{a} 与 {b} 之间仅满足形态不变性：解读均值的变化须非常谨慎。",
           "none": "测量模型在两期中均拟合不佳：均值的变化不可比较。",
           "untested": "未检验测量不变性（{note}）。"},
}


def invariance_line(t: Tracking, lang: str = "en") -> str:
    """One sentence: which level of invariance holds between the last two waves, and what
    it allows."""
    w = _WORDS.get(lang, _WORDS["en"])
    a, b = t.wave_labels[-2], t.wave_labels[-1]
    if t.invariance is None:
        return w["untested"].format(note=t.invariance_note)
    return w[t.invariance.verdict].format(a=a, b=b)


def tracking_figure(t: Tracking, labels: Mapping | None = None, lang: str = "en"):
    """The CSI and every latent variable over the waves, with 95% intervals."""
    import matplotlib.pyplot as plt

    from . import plotting

    plotting.setup()
    labels = dict(labels or {})
    w = _WORDS.get(lang, _WORDS["en"])
    data = t.waves[t.waves["level"].isin(["csi", "latent_variable"])]
    fig, ax = plt.subplots(figsize=(8, 4.8))
    order = list(dict.fromkeys(t.wave_labels))
    xs = np.arange(len(order))
    for measure, rows in data.groupby("measure", sort=False):
        rows = rows.set_index("wave").reindex(order)
        is_csi = measure == "CSI"
        ax.errorbar(xs, rows["score"], yerr=[rows["score"] - rows["ci_low"],
                                             rows["ci_high"] - rows["score"]],
                    marker="o", capsize=3, lw=2.5 if is_csi else 1.2,
                    color=plotting.PALETTE["primary"] if is_csi else None,
                    label=labels.get(measure, measure))
    ax.set_xticks(xs, [str(o) for o in order])
    ax.set(title=w["title"], xlabel=w["x"], ylabel=w["y"])
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def waves_table(t: Tracking, earlier_run_dirs: Sequence[str | Path],
                current_run_dir: str | Path) -> pd.DataFrame:
    """The waves compared: label, run id, start date, respondents (CSI answered)."""
    rows = []
    for d in [*earlier_run_dirs, current_run_dir]:
        m = _manifest(Path(d))
        label = m.get("wave") or m.get("run_id")
        n = t.waves[(t.waves["wave"] == label) & (t.waves["measure"] == "CSI")]["n"]
        rows.append({"wave": label, "run": m.get("run_id"),
                     "date": str(m.get("started") or "")[:10],
                     "respondents": int(n.iloc[0]) if len(n) else 0})
    return pd.DataFrame(rows)


def significant_segments(t: Tracking, alpha: float = 0.05) -> pd.DataFrame:
    """The segment changes significant at ``alpha``, largest first."""
    s = t.segments[t.segments["p_value"] < alpha]
    return s.reindex(s["difference"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def invariance_table(t: Tracking) -> pd.DataFrame:
    """The invariance fit table of the last two waves (empty when it was not tested)."""
    if t.invariance is None:
        return pd.DataFrame(columns=["chi2", "df", "cfi", "rmsea", "srmr", "delta_cfi",
                                     "chi2_diff", "df_diff", "p_diff"])
    return t.invariance.table
