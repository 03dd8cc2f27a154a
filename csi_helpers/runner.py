"""The engagement runner: the six notebooks executed by papermill into one run folder.

A run of client ``acme`` writes ``outputs/acme/<run-id>/``::

    notebooks/      the executed notebooks (a failed one kept as far as it ran)
    tables/*.csv    every table a reviewer may want to check (also tables.xlsx)
    figures/*.png   every figure
    artifacts/      what later notebooks read (e.g. the cleaned survey)
    report.html     one self-contained report: the notebooks in order, code hidden
    manifest.json   client, run id, times, resolved params, inputs (path, SHA-256, rows),
                    Python and package versions, git commit, each notebook's status/seconds

The run id is the start time plus a random suffix, and the folder is created with
``exist_ok=False``: two runs never share a folder and no run overwrites another.
The manifest is rewritten after every notebook, so a run that fails or is killed leaves
an accurate record of what it did.
"""
from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import traceback
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable

from .errors import CSIInputError

NOTEBOOKS = (
    "01_problem_framing",
    "02_data_collection",
    "03_indicator_construction",
    "04_factor_analysis",
    "05_customer_tiering",
    "06_tracking",
)
#: Packages whose versions the manifest records.
STACK = ("numpy", "scipy", "pandas", "matplotlib", "seaborn", "factor_analyzer", "scikit-learn",
         "pyreadstat", "python-calamine",
         "papermill", "nbconvert", "nbformat", "ipykernel", "PyYAML", "openpyxl",
         "csi-workbook")


#: Statuses of a notebook that leave its run complete: computed, or not applicable to this
#: engagement (a CRM-only client has no survey for notebooks 02-04; optional.notebook_gaps).
DONE = ("ok", "not_applicable")


@dataclass
class NotebookRun:
    name: str
    status: str = "pending"          # pending | ok | failed | skipped | not_applicable
    seconds: float | None = None
    output: str | None = None
    error: dict | None = None
    # optional parts without data (optional.py); for a not_applicable notebook, the parts
    # the whole notebook needs (its metadata csi.needs)
    left_out: list = field(default_factory=list)
    notes: list = field(default_factory=list)      # what it worked around (rows left out ...)


def _kernel_transport(sockets: str) -> dict:
    """papermill keyword arguments that start the kernel over IPC instead of TCP.

    ipykernel 7 warns "Kernel is running over TCP without encryption" whenever it listens
    on TCP ports (any local user can connect to them). Over IPC it talks through Unix sockets
    in ``sockets``, a private (0700) temporary folder per notebook: an absolute path, because
    papermill changes into the notebook folder and jupyter_client's default IPC path
    ("kernel-ipc-<n>") is relative to it, and one folder per kernel, so parallel runs
    (``csi run --all --jobs``, pytest -n) never pick the same socket names. Windows has
    no IPC transport: TCP there, as before.
    """
    if os.name != "posix":
        return {}
    from traitlets.config import Config
    return {"config": Config({"KernelManager": {"transport": "ipc",
                                                "ip": os.path.join(sockets, "kernel")}})}


#: The matplotlib backend of the kernels the runner starts (figures shown inline).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class RunCrash(Exception):
    """A run that stopped outside any notebook cell (reading inputs for the manifest,
    copying artefacts, starting a kernel ...). The run folder keeps ``manifest.json``
    (status failed, the message) and ``run.log`` (the full traceback)."""

    def __init__(self, client: str, run_dir: Path, message: str):
        super().__init__(message)
        self.client, self.run_dir, self.message = client, run_dir, message


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def one_line(text: str) -> str:
    """A message on one line: the first line, with a count of the rest (in run.log)."""
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    return f"{lines[0]} (and {len(lines) - 1} more line(s): see run.log)"


@dataclass
class RunResult:
    client: str
    run_id: str
    run_dir: Path
    notebooks: list[NotebookRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(nb.status in DONE for nb in self.notebooks)

    @property
    def failed(self) -> NotebookRun | None:
        return next((nb for nb in self.notebooks if nb.status == "failed"), None)

    @property
    def report(self) -> Path:
        return self.run_dir / "report.html"


def select_notebooks(only: str | list[str] | None) -> list[str]:
    """Resolve ``--only 03,04`` (numbers or names) to notebook names, in method order."""
    if not only:
        return list(NOTEBOOKS)
    wanted = only.split(",") if isinstance(only, str) else list(only)
    chosen = []
    for w in (x.strip() for x in wanted if x.strip()):
        match = [nb for nb in NOTEBOOKS if nb == w or nb.split("_")[0] == w.zfill(2)]
        if not match:
            raise CSIInputError(f"--only: {w!r} is not a notebook; use numbers 01-05 or names "
                                f"such as {NOTEBOOKS[2]}")
        chosen.extend(match)
    return [nb for nb in NOTEBOOKS if nb in chosen]


def new_run_dir(outputs: Path, client: str) -> tuple[str, Path]:
    """Create a fresh, unique run folder; never reuse one."""
    base = outputs / client
    base.mkdir(parents=True, exist_ok=True)
    while True:
        run_id = datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)
        run_dir = base / run_id
        try:
            run_dir.mkdir(exist_ok=False)
            return run_id, run_dir
        except FileExistsError:  # same second and same suffix: draw again
            continue


def latest_complete_run(outputs: Path, client: str, exclude: Path | None = None,
                        wave: str | None = None) -> Path | None:
    """The most recent run of ``client`` whose manifest says every notebook succeeded
    (of ``wave`` only, when given)."""
    base = outputs / client
    if not base.is_dir():
        return None
    for run_dir in sorted((d for d in base.iterdir() if d.is_dir()), reverse=True):
        if exclude is not None and run_dir.resolve() == exclude.resolve():
            continue
        try:
            manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if manifest.get("status") == "ok" and not manifest.get("only") \
                and (wave is None or manifest.get("wave") == wave):
            return run_dir
    return None


def _git_commit(root: Path) -> dict | None:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10)
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=10)
        return {"commit": sha.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict:
    out = {}
    for pkg in STACK:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def _inputs(p: dict, root: Path) -> list[dict]:
    from .sources.table import file_fingerprint

    rows = []
    for key, spec in (p.get("sources") or {}).items():
        if not isinstance(spec, dict) or "path" not in spec:
            continue
        path = Path(spec["path"])
        entry = {"source": key, "path": _rel(path, root), "sha256": None, "rows": None}
        if path.exists():
            sha, n = file_fingerprint(path)
            entry.update(sha256=sha, rows=n)
        else:
            entry["missing"] = True
        rows.append(entry)
    return rows


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


class Run:
    """One execution of (some of) the notebooks for one client. Use :func:`run_engagement`."""

    def __init__(self, params_file: Path, p: dict, root: Path, outputs: Path,
                 notebooks: list[str], progress: bool, echo: Callable[[str], None],
                 notebooks_dir: Path | None = None):
        self.notebooks_dir = notebooks_dir or root / "notebooks"
        self.params_file, self.p, self.root, self.outputs = params_file, p, root, outputs
        self.names, self.progress, self.echo = notebooks, progress, echo
        self.client = p["client"]["id"]
        self.run_id, self.run_dir = new_run_dir(outputs, self.client)
        self.result = RunResult(self.client, self.run_id, self.run_dir,
                                [NotebookRun(n) for n in notebooks])
        self.started = _now()
        self.finished: str | None = None
        self.error: dict | None = None
        self.artifacts_from: str | None = None
        self._inputs: list[dict] = []
        for sub in ("notebooks", "tables", "figures", "artifacts"):
            (self.run_dir / sub).mkdir()

    # -------------------------------------------------------------- manifest
    def manifest(self) -> dict:
        status = ("running" if self.finished is None else
                  "failed" if self.error or self.result.failed else
                  "ok" if self.result.ok else "incomplete")
        return {
            "client": self.client,
            "client_name": self.p["client"].get("name"),
            "wave": self.p["client"].get("wave"),
            "run_id": self.run_id,
            "status": status,
            "started": self.started,
            "finished": self.finished,
            "only": None if self.names == list(NOTEBOOKS) else self.names,
            "artifacts_from": self.artifacts_from,
            "params_file": _rel(self.params_file, self.root),
            "params": self.p,
            "inputs": self._inputs,
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "packages": _versions(),
            "git": _git_commit(self.root),
            "notebooks": [nb.__dict__ for nb in self.result.notebooks],
            "error": self.error,
        }

    def write_manifest(self) -> None:
        path = self.run_dir / "manifest.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.manifest(), indent=2, ensure_ascii=False, default=str),
                       encoding="utf-8")
        tmp.replace(path)

    # -------------------------------------------------------------- log
    def log(self, title: str, text: str) -> None:
        """Append a section to ``run.log`` (full tracebacks live here, not in the report)."""
        with open(self.run_dir / "run.log", "a", encoding="utf-8") as fh:
            fh.write(f"== {_now()} {title}\n{_ANSI.sub('', text).rstrip()}\n\n")

    def crash(self, stage: str, exc: BaseException) -> RunCrash:
        """Record a failure outside any notebook cell; return the exception to raise."""
        import traceback

        message = one_line(f"{type(exc).__name__}: {exc}" if not isinstance(exc, CSIInputError)
                           else str(exc))
        self.log(f"run failed while {stage}", "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)))
        self.error = {"stage": stage, "message": message, "log": "run.log"}
        for nb in self.result.notebooks:
            if nb.status in ("pending", "running"):
                nb.status = "skipped"
        self.finished = _now()
        try:
            self.write_manifest()
            self._deliverables()
        except Exception as inner:  # pragma: no cover - the disk itself failing
            self.log("the manifest could not be written", repr(inner))
        return RunCrash(self.client, self.run_dir, f"the run failed while {stage}: {message}")

    # -------------------------------------------------------------- execution
    def reuse_artifacts(self) -> None:
        """For ``--only`` runs that start after notebook 02: copy the latest complete run's
        artefacts (the cleaned survey, scores) so later notebooks read what they need."""
        from . import optional

        if self.names[0] <= NOTEBOOKS[1] or "survey" in optional.missing_parts(self.p):
            return                        # without a survey no notebook saves artefacts
        source = latest_complete_run(self.outputs, self.client, exclude=self.run_dir)
        if source is None:
            raise CSIInputError(
                f"--only {','.join(n[:2] for n in self.names)}: these notebooks read artefacts "
                f"of earlier notebooks, and {_rel(self.outputs / self.client, self.root)} holds "
                f"no complete run of {self.client!r} to take them from; run "
                f"`csi run {self.client}` once without --only, or include 02 in --only")
        for f in (source / "artifacts").iterdir():
            shutil.copy2(f, self.run_dir / "artifacts" / f.name)
        self.artifacts_from = source.name
        self.echo(f"[{self.client}] artefacts taken from run {source.name}")

    def execute(self) -> RunResult:
        import nbformat
        import papermill
        from papermill.exceptions import PapermillExecutionError

        from . import optional

        try:
            self._inputs = _inputs(self.p, self.root)
        except Exception as exc:
            raise self.crash("fingerprinting the inputs for the manifest", exc) from None
        self.write_manifest()
        nb_dir = self.notebooks_dir
        failed = False
        present = self._parts()
        for nb in self.result.notebooks:
            if failed:
                nb.status = "skipped"
                continue
            src = nb_dir / f"{nb.name}.ipynb"
            out = self.run_dir / "notebooks" / f"{nb.name}.ipynb"
            nb.output = _rel(out, self.run_dir)
            start = time.perf_counter()
            bar = {"desc": f"{self.client} {nb.name}", "leave": False} if self.progress else False
            os.environ["CSI_NOTEBOOK"] = nb.name   # the kernel inherits it (notes.jsonl)
            # figures must reach the notebook whatever the shell says: with MPLBACKEND=Agg
            # (usual on servers and in containers) a kernel never uses the inline backend,
            # and every figure in the report would be the text "<Figure size ...>"
            os.environ["MPLBACKEND"] = INLINE_BACKEND
            try:
                source = nbformat.read(src, as_version=4)
                gaps = optional.notebook_gaps(source, present)
                if gaps:              # the whole step needs what this engagement lacks
                    nb.status, nb.left_out, nb.output = "not_applicable", gaps, None
                    nb.seconds = round(time.perf_counter() - start, 2)
                    self.echo(self._line(nb))
                    self.write_manifest()
                    continue
                source, left_out = optional.prepare(source, present,
                                                    self.p["client"].get("language", "en"))
                nb.left_out = left_out
                with tempfile.TemporaryDirectory(prefix="csi-kernel-") as sockets:
                    papermill.execute_notebook(
                        source, str(out),
                        parameters={"params_path": str(self.params_file),
                                    "run_dir": str(self.run_dir)},
                        cwd=str(nb_dir), progress_bar=bar, kernel_name="python3",
                        log_output=False,
                        # papermill rewrites the whole output notebook after every cell by
                        # default; with figures embedded that is O(cells x size). It still
                        # saves every 30 s, and at the end or at a failure
                        request_save_on_cell_execute=False,
                        **_kernel_transport(sockets))
                nb.status = "ok"
            except PapermillExecutionError as exc:
                nb.status, failed = "failed", True
                nb.error = {"cell_index": exc.cell_index, "execution_count": exc.exec_count,
                            "ename": exc.ename, "evalue": one_line(exc.evalue),
                            "log": "run.log"}
                self.log(f"{nb.name} failed at cell {exc.cell_index}",
                         "\n".join(exc.traceback or [f"{exc.ename}: {exc.evalue}"]))
            except Exception as exc:  # kernel died, notebook unreadable, ...
                import traceback
                nb.status, failed = "failed", True
                nb.error = {"cell_index": None, "execution_count": None,
                            "ename": type(exc).__name__, "evalue": one_line(str(exc)),
                            "log": "run.log"}
                self.log(f"{nb.name} failed before any cell ran", "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
            nb.seconds = round(time.perf_counter() - start, 2)
            self.echo(self._line(nb))
            nb.notes = self._new_notes(nb.name)
            for note in nb.notes:
                self.echo(f"[{self.client}] {nb.name}: {one_line(note)}")
            self.write_manifest()
        self.finished = _now()
        self.write_manifest()
        self._deliverables()
        return self.result

    def _parts(self) -> dict:
        """The params as the optional parts see them, with the earlier waves this run will
        be compared with (what notebook 06 finds the same way)."""
        from . import tracking

        settings = self.p.get("tracking") or {}
        try:
            earlier = tracking.earlier_runs(self.run_dir, settings.get("compare_with") or None)
        except CSIInputError as exc:       # a compare_with naming no run: said in 06
            self.echo(f"[{self.client}] tracking: {exc}")
            earlier = []
        return {**self.p, "tracking": {**settings, "earlier_runs": [str(e) for e in earlier]}}

    def _new_notes(self, name: str) -> list[str]:
        """The notes (CSIWarnings: rows left out, items dropped ...) a notebook recorded."""
        from .workbook import NOTES_FILE

        path = self.run_dir / NOTES_FILE
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("notebook") == name and entry.get("note") not in out:
                out.append(entry["note"])
        return out

    def _line(self, nb: NotebookRun) -> str:
        if nb.status == "ok":
            return f"[{self.client}] {nb.name}  ok  {nb.seconds:6.1f} s"
        if nb.status == "not_applicable":
            return (f"[{self.client}] {nb.name}  not applicable: needs "
                    f"{', '.join(f'sources.{n}' if n == 'survey' else n for n in nb.left_out)}")
        err = nb.error or {}
        where = (f"cell {err['cell_index']} (execution count {err['execution_count']})"
                 if err.get("cell_index") is not None else "before any cell ran")
        return (f"[{self.client}] {nb.name}  FAILED at {where} after {nb.seconds:.1f} s: "
                f"{err.get('ename')}: {err.get('evalue')}")

    def _deliverables(self) -> None:
        from . import report
        try:
            report.tables_workbook(self.run_dir, self.p["client"].get("language", "en"),
                                   (self.p.get("report") or {}).get("excel_max_rows"))
            report.render(self.run_dir, self.manifest())
        except Exception as exc:  # the run's record must survive a rendering problem
            self.log("report rendering failed", traceback.format_exc())
            self.echo(f"[{self.client}] report could not be rendered: {type(exc).__name__}: "
                      f"{exc} (details in {self.run_dir / 'run.log'})")
            return
        if (self.p.get("report") or {}).get("pdf", True):
            try:
                report.write_pdf(self.run_dir)
            except Exception as exc:  # noqa: BLE001 - the HTML report stands without the PDF
                self.log("report.pdf failed", traceback.format_exc())
                self.echo(f"[{self.client}] report.pdf could not be written: "
                          f"{type(exc).__name__}: {exc} (details in {self.run_dir / 'run.log'})")


def run_engagement(params_path: str | Path, outputs: str | Path | None = None,
                   only: str | list[str] | None = None, progress: bool = True,
                   echo: Callable[[str], None] = print,
                   notebooks_dir: str | Path | None = None) -> RunResult:
    """Validate, then run the notebooks for one client into a new run folder.

    ``notebooks_dir`` defaults to the project's ``notebooks/`` (tests pass their own).
    Raises ``params.ParamsError`` (every problem listed) before anything runs when the
    params or inputs are invalid. A notebook failure does not raise: the result says
    which notebook and cell failed (``result.failed``), later notebooks are skipped, and
    the report renders what ran with the failure marked.

    Example
    -------
    >>> result = run_engagement("params/demo.yaml")         # doctest: +SKIP
    >>> result.report                                         # doctest: +SKIP
    PosixPath('outputs/demo/20261123-101500-a3f9/report.html')
    """
    from . import params as params_mod
    from .workbook import project_root

    params_file = Path(params_path).resolve()
    if not params_file.exists():
        raise CSIInputError(f"{params_path}: params file not found; create it with "
                            "`csi new CLIENT` or pass the right path")
    root = project_root(params_file)
    p = params_mod.load(params_file)
    if p.get("demo"):
        from . import demo
        demo.ensure(p)
    problems = params_mod.check(params_file)
    if problems:
        raise params_mod.ParamsError(problems)
    outputs = Path(outputs).resolve() if outputs else root / "outputs"
    names = select_notebooks(only)
    run = Run(params_file, p, root, outputs, names, progress, echo,
              Path(notebooks_dir).resolve() if notebooks_dir else None)
    try:
        run.reuse_artifacts()
    except CSIInputError:
        shutil.rmtree(run.run_dir)  # nothing ran: leave no empty run folder behind
        raise
    except Exception as exc:
        raise run.crash("copying the artefacts of the latest complete run", exc) from None
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quieter kernels
    try:
        return run.execute()
    except RunCrash:
        raise
    except KeyboardInterrupt as exc:
        raise run.crash("running (interrupted)", exc) from None
    except Exception as exc:
        raise run.crash("running the notebooks", exc) from None
