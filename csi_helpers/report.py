"""The reviewer's deliverables of a run: one self-contained ``report.html`` and ``tables.xlsx``.

``render`` joins the executed notebooks of a run folder, in method order, into one HTML
file: code hidden, figures embedded as data URIs (no external files or scripts), a header
with client, wave, date and run id, a table of contents, and a clearly marked box where a
notebook failed or was not run. ``tables_workbook`` gathers every ``tables/*.csv`` into
one Excel workbook, a sheet per table, for the client.
"""
from __future__ import annotations

import base64
import html
import io
import re
from functools import lru_cache
from pathlib import Path

import nbformat

_HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell", "hide-cell"}

_STYLE = """
<style>
  body { max-width: 1100px; margin: 0 auto; }
  .csi-header { border-bottom: 3px solid #1f4e79; padding: 1.5em 1em 1em; margin-bottom: 1em; }
  .csi-header h1 { margin: 0 0 .3em; color: #1f4e79; }
  .csi-header table { border-collapse: collapse; font-size: 0.95em; }
  .csi-header td { padding: 2px 14px 2px 0; }
  .csi-status-ok { color: #2e7d32; font-weight: bold; }
  .csi-status-failed { color: #c62828; font-weight: bold; }
  .csi-status-skipped, .csi-status-pending { color: #9e9e9e; font-weight: bold; }
  .csi-toc { background: #f5f7fa; border: 1px solid #dde3ea; padding: .8em 1.5em; margin: 1em; }
  .csi-toc ul { margin: .2em 0; padding-left: 1.2em; }
  .csi-toc li.h2 { margin-left: 1.2em; font-size: .95em; }
  .csi-failure { border: 2px solid #c62828; background: #fdecea; padding: .8em 1em; margin: 1em;
                 border-radius: 4px; }
  .csi-notrun { border: 2px dashed #9e9e9e; background: #f5f5f5; padding: .8em 1em; margin: 1em; }
  @media print { .csi-toc { page-break-after: always; } }
</style>
"""


_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", flags=re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")


@lru_cache(maxsize=256)
def _math_svg(tex: str) -> str | None:
    """A TeX formula rendered by matplotlib's mathtext as an SVG data URI (None if it can't)."""
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    buf = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex}$", buf, prop=FontProperties(size=11), format="svg")
    except Exception:  # mathtext knows a subset of TeX; leave anything else as text
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def render_math(markdown: str) -> str:
    """Replace ``$$...$$`` and inline ``$...$`` formulas with embedded SVG images.

    The report must work offline and stand alone, so MathJax (fetched from the web) is
    not used; formulas are typeset once by matplotlib's mathtext instead. A formula
    mathtext cannot typeset stays as code.

    Example
    -------
    >>> render_math("alpha is $\\alpha$").startswith("alpha is <img")
    True
    """
    def swap(match: re.Match, display: bool = False) -> str:
        tex = " ".join(match.group(1).split())
        uri = _math_svg(tex)
        if uri is None:
            return f"`{tex}`"
        img = (f'<img class="csi-math" alt="{html.escape(tex, quote=True)}" src="{uri}" '
               f'style="vertical-align: middle; display: inline">')
        return f'\n<div style="text-align: center">{img}</div>\n' if display else img

    markdown = _DISPLAY_MATH.sub(lambda m: swap(m, display=True), markdown)
    return _INLINE_MATH.sub(swap, markdown)


def _section_notice(nb_entry: dict) -> str | None:
    status = nb_entry.get("status")
    if status == "failed":
        err = nb_entry.get("error") or {}
        where = (f"cell {err['cell_index']} (execution count {err.get('execution_count')})"
                 if err.get("cell_index") is not None else "before any cell ran")
        return (f'<div class="csi-failure"><b>This notebook failed</b> at {where}: '
                f'<code>{html.escape(str(err.get("ename")))}: '
                f'{html.escape(str(err.get("evalue")))}</code>. What ran is shown below; the '
                f'rest of this section and later sections are incomplete. The full error is in '
                f'<code>run.log</code> in the run folder.</div>')
    if status in {"skipped", "pending"}:
        return (f'<div class="csi-notrun"><b>{html.escape(nb_entry["name"])}</b> was not run '
                f'({html.escape(status)}: an earlier notebook failed or the run stopped).</div>')
    return None


def _title_of(name: str) -> str:
    number, _, rest = name.partition("_")
    return f"{number} {rest.replace('_', ' ').capitalize()}"


def combined_notebook(run_dir: Path, manifest: dict) -> nbformat.NotebookNode:
    """One notebook of every notebook of the run, in order, with notices where needed."""
    combined = nbformat.v4.new_notebook()
    combined.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    combined.metadata["language_info"] = {"name": "python"}
    for entry in manifest.get("notebooks", []):
        notice = _section_notice(entry)
        path = run_dir / "notebooks" / f"{entry['name']}.ipynb"
        if entry.get("status") in {"skipped", "pending"} or not path.exists():
            combined.cells.append(nbformat.v4.new_markdown_cell(f"# {_title_of(entry['name'])}"))
            combined.cells.append(nbformat.v4.new_markdown_cell(notice or ""))
            continue
        nb = nbformat.read(path, as_version=4)
        inserted = notice is None
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & _HIDDEN_TAGS:
                continue
            if cell.cell_type == "code":
                # no stderr chatter and no tracebacks: the notice above names the error
                # and the cell; the full traceback is in run.log
                cell.outputs = [o for o in cell.get("outputs", [])
                                if not (o.get("output_type") == "stream"
                                        and o.get("name") == "stderr")
                                and o.get("output_type") != "error"]
                if not cell.outputs:
                    continue
            if cell.cell_type == "markdown":
                cell.source = render_math(cell.source)
            combined.cells.append(cell)
            if not inserted and cell.cell_type == "markdown":
                # the notice goes right under the notebook's own title
                combined.cells.append(nbformat.v4.new_markdown_cell(notice))
                inserted = True
        if not inserted:
            combined.cells.append(nbformat.v4.new_markdown_cell(notice))
    return combined


def _toc(body: str) -> str:
    items = []
    for level, anchor, inner in re.findall(r'<h([12]) id="([^"]+)"[^>]*>(.*?)</h\1>', body,
                                            flags=re.S):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        items.append(f'<li class="h{level}"><a href="#{anchor}">{html.escape(text)}</a></li>')
    return ('<nav class="csi-toc"><b>Contents</b><ul>' + "".join(items) + "</ul></nav>")


def _header(manifest: dict) -> str:
    rows = [
        ("Client", f"{manifest.get('client_name') or ''} ({manifest.get('client')})"),
        ("Wave", manifest.get("wave") or ""),
        ("Run", manifest.get("run_id") or ""),
        ("Started", manifest.get("started") or ""),
        ("Finished", manifest.get("finished") or "(not finished)"),
    ]
    if manifest.get("git"):
        git = manifest["git"]
        rows.append(("Code", f"{git['commit'][:12]}{' (modified)' if git.get('dirty') else ''}"))
    status_cells = " · ".join(
        f'{html.escape(nb["name"])} <span class="csi-status-{nb["status"]}">{nb["status"]}</span>'
        + (f' ({nb["seconds"]:.1f} s)' if nb.get("seconds") is not None else "")
        for nb in manifest.get("notebooks", []))
    rows.append(("Notebooks", status_cells))
    table = "".join(f"<tr><td><b>{k}</b></td><td>{v if k == 'Notebooks' else html.escape(str(v))}"
                    f"</td></tr>" for k, v in rows)
    return ('<header class="csi-header"><h1>Customer satisfaction (CSI) engagement report</h1>'
            f"<table>{table}</table><p>Every number in this report is in a table file of the "
            "run folder (<code>tables/</code>, also <code>tables.xlsx</code>); inputs, versions "
            "and parameters are in <code>manifest.json</code>.</p></header>")


def render(run_dir: str | Path, manifest: dict) -> Path:
    """Write ``<run_dir>/report.html`` from the run's executed notebooks and manifest.

    Example
    -------
    >>> render("outputs/demo/20261123-101500-a3f9", manifest)   # doctest: +SKIP
    """
    from nbconvert import HTMLExporter

    run_dir = Path(run_dir)
    nb = combined_notebook(run_dir, manifest)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": f"CSI report {manifest.get('client')} "
                                            f"{manifest.get('run_id')}"}})
    # self-contained: no script or stylesheet fetched from elsewhere
    body = re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'<link[^>]+href="https?://[^"]*"[^>]*>', "", body)
    body = body.replace("</head>", _STYLE + "</head>", 1)
    match = re.search(r"<body[^>]*>", body)
    insert_at = match.end() if match else 0
    body = body[:insert_at] + _header(manifest) + _toc(body) + body[insert_at:]
    out = run_dir / "report.html"
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(out)
    return out


def tables_workbook(run_dir: str | Path, lang: str = "en") -> Path | None:
    """Gather ``tables/*.csv`` into the formatted Excel deliverable ``tables.xlsx`` (a
    contents sheet, then one sheet per table): see :mod:`csi_helpers.excel`."""
    from .excel import write_tables_workbook

    return write_tables_workbook(run_dir, lang)
