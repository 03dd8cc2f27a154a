"""``csi``: run CSI engagements from the command line.

    csi demo                      create the demo data if absent, run everything, print the report
    csi new CLIENT                params/CLIENT.yaml and data/CLIENT/ from the template
    csi new CLIENT --survey FILE [--customers F] [--transactions F] [--visits F]
                                  params/CLIENT.yaml drafted from the client's exports
    csi validate CLIENT           list every problem in the params and inputs (exit 0 or 2)
    csi run CLIENT [--only 03,04] run the notebooks into outputs/CLIENT/<run-id>/
    csi run --all [--jobs N]      every client in params/, in parallel processes

CLIENT is a client id (``params/<id>.yaml``) or a path to a params file. Exit codes:
0 success, 1 a notebook failed (the CLI names it and the cell), 2 bad params or input.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from .errors import CSIInputError, InputProblems

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
_CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def project_root() -> Path:
    """Where params/, data/, notebooks/ and outputs/ live.

    ``$CSI_ROOT`` if set; else the current folder if it has ``params/`` and
    ``notebooks/``; else the checkout this package was installed from.
    """
    env = os.environ.get("CSI_ROOT")
    if env:
        return Path(env).resolve()
    cwd = Path.cwd()
    if (cwd / "params").is_dir() and (cwd / "notebooks").is_dir():
        return cwd
    return Path(__file__).resolve().parents[1]


def params_file(client: str, root: Path) -> Path:
    if client.endswith((".yaml", ".yml")) or os.sep in client:
        path = Path(client)
        return path if path.is_absolute() else (Path.cwd() / path)
    path = root / "params" / f"{client}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in (root / "params").glob("*.yaml") if not p.stem.startswith("_"))
        raise CSIInputError(f"{_rel(path, root)}: no params file for client {client!r}; "
                            f"known clients: {', '.join(known) or 'none'}; "
                            f"create one with `csi new {client}`")
    return path


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------- commands
def cmd_new(args, root: Path) -> int:
    client = args.client
    if not _CLIENT_ID.match(client):
        raise CSIInputError(f"CLIENT {client!r}: use lower-case letters, digits, '-' and '_' "
                            "(it names params/<client>.yaml, data/<client>/ and outputs/<client>/)")
    target = root / "params" / f"{client}.yaml"
    if target.exists():
        raise CSIInputError(f"{_rel(target, root)} already exists; edit it, or choose another "
                            "client id (nothing was overwritten)")
    exports = {k: getattr(args, k, None) for k in ("survey", "customers", "transactions",
                                                   "visits")}
    if any(exports.values()):
        # a draft from the exports: they stay where they are (read, never copied)
        from .sources.draft import draft

        result = draft(client, root=root, **exports)   # raises before anything is written
        target.write_text(result.text, encoding="utf-8")
        print(f"created {_rel(target, root)} (a draft from the exports)")
        for line in result.summary:
            print(f"  {line}")
        if exports["survey"] is None and exports["transactions"] is not None:
            print(f"next: check the drafted CRM mapping, then `csi validate {client}`")
        else:
            print(f"next: fill in the indicator system, then `csi validate {client}`")
        return EXIT_OK
    template = (root / "params" / "_template.yaml").read_text(encoding="utf-8")
    target.write_text(template.replace("CLIENT_ID", client), encoding="utf-8")
    data = root / "data" / client
    data.mkdir(parents=True, exist_ok=True)
    readme = data / "README.md"
    if not readme.exists():
        readme.write_text(
            f"# Inputs of client {client}\n\nDrop the raw exports here; they are never modified. "
            "Expected files and columns: see params/_template.yaml (sources) and "
            f"docs/contracts.md. Then run `csi validate {client}`.\n", encoding="utf-8")
    print(f"created {_rel(target, root)} and {_rel(data, root)}/")
    print(f"next: edit the params, put the exports in {_rel(data, root)}/, "
          f"then `csi validate {client}`")
    return EXIT_OK


def cmd_validate(args, root: Path) -> int:
    from . import params as params_mod

    path = params_file(args.client, root)
    problems, notes = params_mod.check_report(path)
    for line in notes:              # what was found: each export's format, columns left out
        print(line)
    if problems:
        print(f"{_rel(path, root)}: {len(problems)} problem(s)", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return EXIT_INPUT
    print(f"{_rel(path, root)}: ok")
    return EXIT_OK


def _run_one(path: Path, outputs: Path | None, only, progress: bool,
             notebooks_dir: Path | None = None) -> tuple[int, str]:
    """Run one client; return (exit code, the last line to print)."""
    from . import runner

    try:
        result = runner.run_engagement(path, outputs=outputs, only=only, progress=progress,
                                       notebooks_dir=notebooks_dir)
    except runner.RunCrash as crash:
        print(f"[{crash.client}] {crash.message}", file=sys.stderr)
        print(f"[{crash.client}] the run folder keeps manifest.json and run.log (the full "
              f"traceback): {crash.run_dir}", file=sys.stderr)
        return EXIT_FAILED, str(crash.run_dir)
    if result.failed:
        nb = result.failed
        err = nb.error or {}
        cell = (f"cell {err['cell_index']}" if err.get("cell_index") is not None
                else "kernel start-up")
        partial = result.run_dir / "notebooks" / f"{nb.name}.ipynb"
        print(f"[{result.client}] notebook {nb.name} failed at {cell}: {err.get('ename')}: "
              f"{err.get('evalue')}", file=sys.stderr)
        print(f"[{result.client}] the partly executed notebook is {partial}; the report shows "
              f"what ran: {result.report}; the full traceback is in "
              f"{result.run_dir / 'run.log'}", file=sys.stderr)
        return EXIT_FAILED, str(result.report)
    return EXIT_OK, str(result.report)


def cmd_run(args, root: Path) -> int:
    outputs = Path(args.outputs).resolve() if args.outputs else None
    if args.all:
        if args.client:
            raise CSIInputError("csi run: give a CLIENT or --all, not both")
        paths = sorted(p for p in (root / "params").glob("*.yaml") if not p.stem.startswith("_"))
        if not paths:
            raise CSIInputError(f"{_rel(root / 'params', root)}: no client params files")
        return _run_all(paths, outputs, args.only, args.jobs)
    if not args.client:
        raise CSIInputError("csi run: name a CLIENT (params/<client>.yaml) or use --all")
    code, report = _run_one(params_file(args.client, root), outputs, args.only,
                            progress=not args.no_progress)
    print(report)
    return code


def _run_all(paths: list[Path], outputs, only, jobs: int) -> int:
    worst = EXIT_OK
    jobs = max(1, min(jobs or 1, len(paths)))
    if jobs == 1:
        results = [_guarded(path, outputs, only, True) for path in paths]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_guarded, p, outputs, only, False): p for p in paths}
            results = [f.result() for f in as_completed(futures)]
    for path, code, text in sorted(results):
        worst = max(worst, code)
        print(f"{path.stem}: {'ok' if code == 0 else 'FAILED' if code == 1 else 'invalid'}  {text}")
    return worst


def _guarded(path: Path, outputs, only, progress: bool) -> tuple[Path, int, str]:
    """Run one client in a worker; bad params become a line, not a crash of the pool."""
    from . import params as params_mod

    try:
        code, report = _run_one(path, outputs, only, progress)
        return path, code, report
    except params_mod.ParamsError as exc:
        return path, EXIT_INPUT, "; ".join(exc.problems)
    except CSIInputError as exc:
        return path, EXIT_INPUT, str(exc)


def cmd_demo(args, root: Path) -> int:
    """The demo client's two waves: the earlier one (2026-Q3, csi_helpers.demo_waves) once,
    then the current one, whose tracking chapter compares the two."""
    from . import demo, demo_waves, params as params_mod, runner

    path = root / "params" / "demo.yaml"
    p = params_mod.load(path)
    if demo.ensure(p):
        print(f"generated the demo client's data in {_rel(Path(p['sources']['survey']['path']).parent, root)}/")
    outputs = Path(args.outputs).resolve() if args.outputs else root / "outputs"
    earlier = demo_waves.ensure_earlier_wave(p, path)
    done = runner.latest_complete_run(outputs, p["client"]["id"], wave=demo_waves.EARLIER_WAVE)
    if done:
        print(f"[{p['client']['id']}] earlier wave {demo_waves.EARLIER_WAVE}: run {done.name}")
    else:
        print(f"[{p['client']['id']}] earlier wave {demo_waves.EARLIER_WAVE} first (survey only; "
              f"the tracking chapter of {p['client'].get('wave')} compares the two)")
        code, _ = _run_one(earlier, outputs, None, progress=not args.no_progress,
                           notebooks_dir=root / "notebooks")
        if code != EXIT_OK:
            return code
    code, report = _run_one(path, outputs, None, progress=not args.no_progress)
    print(report)
    return code


# ---------------------------------------------------------------------- entry point
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csi", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="run the demo engagement end to end")
    p.add_argument("--outputs", help="outputs folder (default: outputs/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p = sub.add_parser("new", help="start a client: a params draft from the client's exports, "
                                   "or the params template")
    p.add_argument("client")
    for name, what in (("survey", "the survey export (问卷星, Qualtrics, SPSS/Stata, a table)"),
                       ("customers", "the CRM customer export (CSV or Excel)"),
                       ("transactions", "the CRM order / transaction export"),
                       ("visits", "the CRM store-visit export")):
        p.add_argument(f"--{name}", metavar="FILE",
                       help=f"{what}; read, never copied: the params point at it")
    p = sub.add_parser("validate", help="check a client's params and inputs")
    p.add_argument("client")
    p = sub.add_parser("run", help="run a client's engagement")
    p.add_argument("client", nargs="?")
    p.add_argument("--only", help="notebooks to run, e.g. 03,04")
    p.add_argument("--all", action="store_true", help="every client in params/")
    p.add_argument("--jobs", type=int, default=1, help="clients run in parallel with --all")
    p.add_argument("--outputs", help="outputs folder (default: outputs/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def main(argv: list[str] | None = None) -> int:
    from . import params as params_mod

    args = build_parser().parse_args(argv)
    root = project_root()
    commands = {"demo": cmd_demo, "new": cmd_new, "validate": cmd_validate, "run": cmd_run}
    try:
        return commands[args.command](args, root)
    except params_mod.ParamsError as exc:
        print(f"{len(exc.problems)} problem(s) in the params or inputs; nothing was run:",
              file=sys.stderr)
        for line in exc.problems:
            print(f"  {line}", file=sys.stderr)
        return EXIT_INPUT
    except InputProblems as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INPUT
    except CSIInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted; the run folder keeps what had finished", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: one line here, the traceback in a log
        log = _error_log(exc, root)
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              f"(an internal error; the traceback is in {log}: please report it)",
              file=sys.stderr)
        return EXIT_FAILED


def _error_log(exc: BaseException, root: Path) -> Path:
    """Write the traceback of an unexpected error to outputs/csi-error.log (or a temp file)."""
    import tempfile
    import traceback
    from datetime import datetime

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    for folder in (root / "outputs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "csi-error.log"
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"== {datetime.now().isoformat(timespec='seconds')} "
                         f"csi {' '.join(sys.argv[1:])}\n{text}\n")
            return path
        except OSError:
            continue
    return Path("(no writable folder)")


if __name__ == "__main__":
    sys.exit(main())
