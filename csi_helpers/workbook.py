"""The engagement workbook a notebook opens first: params, inputs, and where results go.

Every notebook starts with

    from csi_helpers import workbook
    wb = workbook.open(params_path, run_dir)

``wb`` holds the validated params, loads the client's inputs through ``csi_helpers.sources``,
and saves what the notebook produces into the run folder:

    <run_dir>/tables/<name>.csv       every table a reviewer may want to check
    <run_dir>/figures/<name>.png      every figure
    <run_dir>/artifacts/<name>.csv    what later notebooks read (e.g. the cleaned survey)

``csi run`` passes ``run_dir`` (``outputs/<client>/<run-id>/``). Opened interactively
(``run_dir=""``, e.g. a trainer in JupyterLab), results go to the scratch folder
``outputs/<client>/_interactive/``, which interactive sessions reuse; it is never a run.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import CSIInputError

INTERACTIVE = "_interactive"


def project_root(params_file: Path) -> Path:
    """The project root: the parent of the folder holding the params file."""
    return params_file.resolve().parent.parent


#: Tables from this many rows on are written by Arrow's CSV writer (see write_csv).
ARROW_CSV_ROWS = 20_000


def write_csv(frame: pd.DataFrame, path: str | Path, index: bool = True) -> Path:
    """Write ``frame`` as UTF-8 CSV with a byte-order mark (so Excel shows Chinese).

    A table of ``ARROW_CSV_ROWS`` rows or more goes through Arrow's multi-threaded CSV
    writer: a million customers' tiers take 0.5 s instead of pandas' 5 s, and notebook 05
    saves nine such tables. The text reads back the same (``pd.read_csv``): dates of
    midnight as ``YYYY-MM-DD`` and times as ``YYYY-MM-DD HH:MM:SS`` as pandas writes them,
    booleans as ``True``/``False``, missing values empty; strings are quoted and whole-number
    floats lose their ``.0`` (``5`` for ``5.0``). A table Arrow cannot hold (Python
    objects, a column MultiIndex) is written by pandas.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv(pd.DataFrame({"a": [1.5]}, index=pd.Index(["x"], name="id")), f)
    >>> f.read_text(encoding="utf-8-sig").splitlines()
    ['id,a', 'x,1.5']
    """
    path = Path(path)
    if len(frame) >= ARROW_CSV_ROWS and not isinstance(frame.columns, pd.MultiIndex):
        try:
            import pyarrow.csv as pcsv

            table = _arrow_for_csv(frame, index)
            with path.open("wb") as fh:
                fh.write("\ufeff".encode("utf-8"))
                pcsv.write_csv(table, fh, pcsv.WriteOptions(quoting_style="needed"))
            return path
        except Exception as exc:  # noqa: BLE001 - what Arrow cannot hold, pandas writes
            if not isinstance(exc, (TypeError, ValueError, NotImplementedError)) \
                    and not type(exc).__module__.startswith("pyarrow"):
                raise
    frame.to_csv(path, index=index, encoding="utf-8-sig")
    return path


def _arrow_for_csv(frame: pd.DataFrame, index: bool):
    """The Arrow table :func:`write_csv` writes: the index first (under its name, or none),
    dates and booleans as text the way pandas writes them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = frame.reset_index() if index else frame.reset_index(drop=True)
    names = [str(c) for c in out.columns]
    if index and frame.index.nlevels == 1 and frame.index.name is None:
        names[0] = ""
    columns = []
    for c in range(out.shape[1]):
        col = out.iloc[:, c]
        arr = pa.array(col, from_pandas=True)
        if pa.types.is_duration(arr.type) or pa.types.is_nested(arr.type):
            raise TypeError(f"{arr.type}: pandas writes it")
        if pa.types.is_timestamp(arr.type):
            if arr.type.tz is not None:
                raise TypeError("a time zone: pandas writes its offset")
            valid = col.dropna()
            if not (valid == valid.dt.floor("s")).all():
                raise TypeError("fractions of a second: pandas writes them")
            midnight = bool((valid == valid.dt.normalize()).all())
            # casts, not strftime (ten times slower): "2026-09-30", "2026-09-30 10:30:00"
            arr = arr.cast(pa.timestamp("s"))
            arr = (arr.cast(pa.date32()) if midnight else arr).cast(pa.string())
        elif pa.types.is_boolean(arr.type):
            arr = pc.if_else(arr, "True", "False")
        elif pa.types.is_dictionary(arr.type):
            arr = arr.cast(arr.type.value_type)
        columns.append(arr)
    return pa.Table.from_arrays(columns, names=names)


_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3


def _copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a cached table that no change can reach the cache through: with pandas'
    Copy-on-Write (always on from pandas 3) a shallow copy, which costs no memory (a
    million customers' master is not held twice); a deep copy before."""
    return frame.copy(deep=not _COPY_ON_WRITE)


def open(params_path: str | Path, run_dir: str | Path | None = "") -> "Workbook":  # noqa: A001
    """Validate the params, make sure the inputs exist, and return the notebook's workbook.

    Parameters
    ----------
    params_path : the client's params YAML (``params/<client>.yaml``).
    run_dir : the run folder written by ``csi run``; "" or None for an interactive session.

    Example
    -------
    >>> wb = workbook.open("../params/demo.yaml")          # doctest: +SKIP
    >>> wb.save_table(wb.survey_raw().head(), "02_sample")  # doctest: +SKIP
    """
    from . import params as params_mod

    params_file = Path(params_path).resolve()
    if not params_file.exists():
        raise CSIInputError(f"{params_path}: params file not found; pass the path of "
                            "params/<client>.yaml (relative to the notebook's folder)")
    p = params_mod.load(params_file)
    root = project_root(params_file)
    if p.get("demo"):
        from . import demo
        demo.ensure(p)
    interactive = not run_dir
    if interactive:
        run = root / "outputs" / p["client"]["id"] / INTERACTIVE
    else:
        run = Path(run_dir).resolve()
    for sub in ("tables", "figures", "artifacts"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    from . import plotting
    plotting.setup()
    _record_warnings(run)
    _release_memory_after_cells()
    return Workbook(params=p, params_file=params_file, root=root, run_dir=run,
                    interactive=interactive)


def release_memory(*_) -> None:
    """Hand back to the system the memory Arrow's pool keeps for reuse. pandas 3 holds
    text in Arrow, and the pool (mimalloc) keeps what a step freed: on a million
    customers each heavy step of notebook 05 left ~0.4 GB held, 1.2 GB in all."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _release_memory_after_cells() -> None:
    """In a notebook, :func:`release_memory` after every cell (once per kernel)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_csi_release_memory", False):
        return
    shell.events.register("post_run_cell", release_memory)
    shell._csi_release_memory = True


#: What the analysis worked around (rows left out, items dropped ...), one JSON per line:
#: the runner echoes new lines on the console and keeps them in the manifest.
NOTES_FILE = "notes.jsonl"


def _record_warnings(run: Path) -> None:
    """Show every :class:`CSIWarning` in the notebook's output (so the report has it, not
    only stderr) and append it to ``<run>/notes.jsonl`` for the console and the manifest.
    Other warnings keep Python's default handling."""
    import sys
    import warnings

    from .errors import CSIWarning

    original = getattr(warnings.showwarning, "_csi_original", warnings.showwarning)
    notebook = os.environ.get("CSI_NOTEBOOK", "")

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, CSIWarning):
            return original(message, category, filename, lineno, file, line)
        text = str(message)
        print(f"Note: {text}", file=sys.stdout)
        try:
            with (run / NOTES_FILE).open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"notebook": notebook, "note": text},
                                    ensure_ascii=False) + "\n")
        except OSError:   # a read-only scratch folder: the note is still shown
            pass

    show._csi_original = original
    warnings.showwarning = show
    warnings.simplefilter("always", CSIWarning)


@dataclass
class Workbook:
    """Params, inputs and outputs of one notebook run (see the module docstring)."""

    params: dict
    params_file: Path
    root: Path
    run_dir: Path
    interactive: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ identity
    @property
    def lang(self) -> str:
        """The client's report language, "en" or "zh"."""
        return self.params["client"].get("language", "en")

    @property
    def client(self) -> dict:
        return self.params["client"]

    def __repr__(self) -> str:
        mode = "interactive scratch" if self.interactive else "run"
        return (f"Workbook(client={self.client['id']!r}, wave={self.client.get('wave')!r}, "
                f"lang={self.lang!r}, {mode}={self._rel(self.run_dir)})")

    def _rel(self, path: Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    # ------------------------------------------------------------------ outputs
    def save_table(self, df: pd.DataFrame | pd.Series, name: str, index: bool = True) -> Path:
        """Write ``tables/<name>.csv`` (UTF-8 with BOM, so Excel shows Chinese) and return it."""
        path = self.run_dir / "tables" / f"{_safe_name(name)}.csv"
        frame = df.to_frame() if isinstance(df, pd.Series) else df
        write_csv(frame, path, index=index)
        self._cache.setdefault("saved_rows", {})[path.stem] = len(frame)
        return path

    def _pointer(self, name: str) -> dict:
        """Where the report's note sends a reader for the whole table ``name``: its sheet
        of ``tables.xlsx``, or its CSV when it is longer than ``report.excel_max_rows``
        (see :func:`csi_helpers.excel.in_workbook`)."""
        from .excel import in_workbook, sheet_name

        rows = self._cache.get("saved_rows", {}).get(_safe_name(name))
        limit = (self.params.get("report") or {}).get("excel_max_rows")
        if rows is not None and not in_workbook(rows, limit):
            return {"file": f"{_safe_name(name)}.csv"}
        return {"sheet": sheet_name(name, self.lang)}

    @property
    def labels(self) -> dict[str, str]:
        """{code: name} in the report's language for the CSI, every latent variable,
        indicator and item, and competitor: what tables show instead of codes."""
        if "labels" not in self._cache:
            from . import params as params_mod
            self._cache["labels"] = params_mod.labels(self.params, self.lang)
        return dict(self._cache["labels"])

    def table(self, df: pd.DataFrame | pd.Series, name: str, index: bool = True, *,
              columns: list[str] | None = None, **display):
        """Save ``df`` as ``tables/<name>.csv`` (every row and column, full precision) and
        return it as the report shows it (:func:`csi_helpers.report.tables.readable`):
        headers and codes in the report's language, numbers by meaning, at most
        ``report.max_rows`` rows with a pointer to its sheet of the Excel workbook.

        ``columns`` picks the columns shown (the file keeps all); ``display`` passes on
        (``formats={"value": "stat"}``, ``max_rows=None``, ``title=...``).

        Example
        -------
        >>> wb.table(fit.paths, "04_pls_paths")          # doctest: +SKIP
        """
        from .report.tables import readable

        self.save_table(df, name, index=index)
        shown = df.to_frame() if isinstance(df, pd.Series) else df
        if not index:
            shown = shown.reset_index(drop=True)
        if columns is not None:   # what the step computed decides: e.g. no CI without bootstrap
            shown = shown[[c for c in columns if c in shown.columns]]
        return readable(shown, self.lang, labels=self.labels, name=name,
                        index=index and None, **{**self._pointer(name), **self._display(display)})

    def show(self, df: pd.DataFrame | pd.Series, name: str | None = None, **display):
        """``df`` as the report shows it, without saving it (see :meth:`table`): e.g. a
        part of a table saved whole. ``name`` gives the title and, when ``tables/<name>.csv``
        exists, the pointer to its sheet of the Excel workbook."""
        from .report.tables import readable

        if name and (self.run_dir / "tables" / f"{_safe_name(name)}.csv").exists() \
                and "sheet" not in display and "file" not in display:
            display.update(self._pointer(name))
        return readable(df, self.lang, labels=self.labels, name=name, **self._display(display))

    def _display(self, display: dict) -> dict:
        """``report.max_rows`` and ``client.currency`` unless the call says otherwise."""
        settings = self.params.get("report") or {}
        return {"max_rows": settings.get("max_rows", 15),
                "currency": self.client.get("currency") or "", **display}

    def save_figure(self, fig, name: str, show: bool = True) -> Path:
        """Write ``figures/<name>.png`` at print resolution (200 dpi) and show it in the
        notebook as an image with alt text (:func:`csi_helpers.plotting.alt_text`), sized
        to half its pixels so it is sharp on screen and in print; ``show=False`` only saves.

        The image is shown as HTML, not through matplotlib's inline backend, so figures
        reach the report whatever ``MPLBACKEND`` the shell sets."""
        import matplotlib.pyplot as plt

        from . import plotting

        path = self.run_dir / "figures" / f"{_safe_name(name)}.png"
        alt = plotting.alt_text(fig, fallback=name.partition("_")[2].replace("_", " "))
        fig.savefig(path, dpi=plotting.PRINT_DPI)
        plt.close(fig)
        if show:
            try:
                from IPython.display import HTML, display
            except ImportError:  # pragma: no cover - IPython ships with the stack
                return path
            display(HTML(plotting.figure_html(path.read_bytes(), alt, name)))
        return path

    def save_artifact(self, df: pd.DataFrame, name: str) -> Path:
        """Write ``artifacts/<name>.csv`` for later notebooks (read back with load_artifact)."""
        path = self.run_dir / "artifacts" / f"{_safe_name(name)}.csv"
        tmp = path.with_suffix(".csv.tmp")
        df.to_csv(tmp, index=True, encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a file
        return path

    def has_artifact(self, name: str) -> bool:
        return (self.run_dir / "artifacts" / f"{_safe_name(name)}.csv").exists()

    def load_artifact(self, name: str) -> pd.DataFrame:
        """Read an artefact an earlier notebook of this run saved."""
        path = self.run_dir / "artifacts" / f"{_safe_name(name)}.csv"
        if not path.exists():
            raise CSIInputError(
                f"{self._rel(path)}: artefact {name!r} not found; run the notebook that "
                "saves it first (csi run runs the notebooks in order)")
        spec = self.params.get("sources", {}).get("survey", {})
        ids = {c: "string" for c in ("respondent_id", "customer_id", spec.get("id_column"),
                                     spec.get("customer_id_column")) if c}
        return pd.read_csv(path, index_col=0, dtype=ids)

    # ------------------------------------------------------------------ inputs
    def has_source(self, key: str) -> bool:
        """Whether the params name the input ``sources.<key>`` (optional inputs)."""
        return bool(self.params.get("sources", {}).get(key))

    def _source(self, key: str) -> dict:
        spec = self.params.get("sources", {}).get(key)
        if not spec:
            raise CSIInputError(f"sources.{key}: not given in {self._rel(self.params_file)}; "
                                f"add sources.{key}.path to use this input")
        return spec

    def _load(self, key: str) -> pd.DataFrame:
        """Read a source once through :mod:`csi_helpers.sources` (the only reader of client
        files) and hand out copies."""
        if key not in self._cache:
            from .sources import crm

            spec = self._source(key)
            if key == "survey":
                from .sources import survey
                self._cache[key] = survey.read_survey(self.params)
            elif key in crm.KINDS:
                self._cache[key] = crm.load(key, spec).data
            else:
                from .sources import fieldwork
                self._cache[key] = getattr(fieldwork, f"read_{key}")(spec)
        return _copy(self._cache[key])

    def survey_raw(self) -> pd.DataFrame:
        """The survey as read (answers as text; nothing cleaned): the columns the analysis
        needs, items named by their ids, durations in seconds, status complete / partial."""
        return self._load("survey")

    def customers(self) -> pd.DataFrame:
        return self._load("customers")

    def transactions(self) -> pd.DataFrame:
        return self._load("transactions")

    def purchases(self):
        """The transactions checked once and held by the query engine (DuckDB): a
        :class:`csi_helpers.customers.engine.Purchases` as of ``tiering.as_of`` (the last
        transaction unless set), with ``tiering.negative_amounts`` and the customer master.
        The DataFrame read is not kept: a national retailer's ten million transactions
        are 0.7 GB in pandas and are needed only to check them (:meth:`transactions`
        reads them again for whoever wants the rows).

        Example
        -------
        >>> p = wb.purchases(); p.as_of, p.rows                     # doctest: +SKIP
        (Timestamp('2026-09-30 00:00:00'), 18890)
        """
        if "purchases" not in self._cache:
            from . import tiering

            frame = self._cache.get("transactions")
            if frame is None:
                from .sources import crm

                launches = ((self.params.get("tiering") or {}).get("early_adopters")
                            or {}).get("launches")         # early adopters need categories
                frame = crm.load("transactions", self._source("transactions"),
                                 only=("transaction_id",) + (("category",) if launches
                                                                else ())).data
            cfg = tiering.settings(self.params, frame)
            launches = cfg["early_adopters"]["launches"]
            self._cache["purchases"] = tiering.purchases(
                frame, cfg["as_of"], self.customers() if self.has_source("customers") else None,
                cfg["negative_amounts"], columns=("category",) if launches else ())
            del frame
            release_memory()          # the frame read (0.7 GB on ten million rows) is gone
        return self._cache["purchases"]

    def visits(self) -> pd.DataFrame:
        return self._load("visits")

    def acquisition(self) -> pd.DataFrame:
        """The channel that brought each customer (``sources.acquisition``)."""
        return self._load("acquisition")

    def channel_costs(self) -> pd.DataFrame:
        """What each acquisition channel cost, with its leads (``sources.channel_costs``)."""
        return self._load("channel_costs")

    def complaints(self) -> pd.DataFrame:
        """The complaint log (``sources.complaints``)."""
        return self._load("complaints")

    def ratings(self) -> pd.DataFrame:
        """The value-rating sheet, one row per customer and period (``sources.ratings``)."""
        return self._load("ratings")

    def notes(self) -> pd.DataFrame:
        return self._load("notes")

    def secondary(self) -> pd.DataFrame:
        return self._load("secondary")

    def tracking_runs(self) -> tuple[Path, list[Path]]:
        """(this wave's run folder, the earlier waves' run folders, oldest first), as
        :func:`csi_helpers.tracking.earlier_runs` finds them (``tracking.compare_with``).
        In an interactive session "this wave" is the client's latest complete run."""
        from . import tracking
        from .runner import latest_complete_run

        current = self.run_dir
        if self.interactive:
            current = latest_complete_run(self.run_dir.parent.parent, self.client["id"])
            if current is None:
                raise CSIInputError(f"{self._rel(self.run_dir.parent)}: no complete run of "
                                    "this client yet; csi run it, then compare waves")
        settings = self.params.get("tracking") or {}
        return current, tracking.earlier_runs(current, settings.get("compare_with") or None)

    def tracking(self):
        """This wave against the earlier ones (:func:`csi_helpers.tracking.compare`), with
        the bootstrap and seed of ``tracking:``."""
        from . import tracking

        current, earlier = self.tracking_runs()
        settings = self.params.get("tracking") or {}
        return tracking.compare(current, earlier, n_boot=settings.get("bootstrap", 1000),
                                seed=settings.get("seed", 20261202))

    def truth(self) -> dict[str, Any] | None:
        """The planted truth of a generated (demo) client, else None."""
        spec = self.params.get("sources", {}).get("truth")
        if not spec or not Path(spec["path"]).exists():
            return None
        return json.loads(Path(spec["path"]).read_text(encoding="utf-8"))

    def survey_clean(self) -> pd.DataFrame:
        """The cleaned survey notebook 02 saved (items as numbers 1..points, not reverse-keyed).

        In an interactive session the scratch folder may hold a stale copy, so the survey
        is cleaned afresh with ``quality.clean_survey`` (the same function notebook 02 uses).
        """
        if not self.interactive:
            return self.load_artifact("survey_clean")
        if "survey_clean" not in self._cache:
            from . import quality
            print("Interactive session: cleaning the survey with quality.clean_survey "
                  "(in a run, notebook 02's saved artefact is used).")
            self._cache["survey_clean"] = quality.clean_survey(self.survey_raw(), self.params).data
        return _copy(self._cache["survey_clean"])


def _safe_name(name: str) -> str:
    bad = set('/\\:*?"<>|')
    if not name or any(c in bad for c in name) or name.startswith("."):
        raise CSIInputError(f"{name!r}: not a usable file name for a table, figure or "
                            "artefact; use letters, digits, '_' and '-'")
    return name

