"""The report of a run, assembled: cover, executive summary, the five chapters, appendix.

:func:`render` writes ``report.html``, self-contained (figures embedded, formulas typeset
offline, no script or stylesheet fetched) and in one language:

* the **cover** (:mod:`.summary`): client, industry, wave, date, run id, status of each step;
* the **executive summary** computed from the run's tables (:mod:`.summary`);
* the **chapters**: the executed notebooks in method order, code hidden. Narrative cells
  are tagged by language (``lang-en`` / ``lang-zh``): only the report's language is kept.
  Cells tagged ``teaching`` hold the method explanation: kept in place for a trainer's
  report, moved to the appendix "Method notes" for a reviewer's (``report.audience``);
* where a step failed or was not run, a box says so with the step's message and cell
  (the traceback stays in the run's log), never a traceback;
* the **appendix**: the data-quality log (cleaning rules, fieldwork, the run's notes) and,
  for reviewers, the method notes.
"""
from __future__ import annotations

import base64
import html
import io
import re
from functools import lru_cache
from pathlib import Path

import nbformat

from . import style, summary
from .vocabulary import step_title, word

_HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell", "hide-cell"}
LANG_TAGS = {"en": "lang-en", "zh": "lang-zh"}
TEACHING_TAG = "teaching"




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
    r"""Replace ``$$...$$`` and inline ``$...$`` formulas with embedded SVG images.

    The report must work offline and stand alone, so MathJax (fetched from the web) is
    not used; formulas are typeset once by matplotlib's mathtext instead. A formula
    mathtext cannot typeset stays as code.

    Example
    -------
    >>> render_math(r"alpha is $\alpha$").startswith("alpha is <img")
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


_PROTECTED = re.compile(r"(`+[^`]*?`+|\$\$.+?\$\$|\$[^$\n]+?\$|<[^>\n]+>)", flags=re.S)
_STRONG = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![*\\A-Za-z0-9])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*A-Za-z0-9])")


def emphasis_html(markdown: str) -> str:
    """``**bold**`` and ``*italic*`` as HTML tags, outside code spans and formulas.

    CommonMark's flanking rules do not see the end of ``**读表方法：**每行`` (punctuation
    inside, a letter after), so Chinese text shows the asterisks; HTML tags have no such
    rule. Pairs are read left to right, as an author writes them.

    >>> emphasis_html("**读表方法：**每行 `a*b*c` *x*")
    '<strong>读表方法：</strong>每行 `a*b*c` <em>x</em>'
    """
    pieces = _PROTECTED.split(markdown)
    for i in range(0, len(pieces), 2):
        text = _STRONG.sub(r"<strong>\1</strong>", pieces[i])
        pieces[i] = _EM.sub(r"<em>\1</em>", text)
    return "".join(pieces)


def audience(p: dict) -> str:
    """``trainer`` or ``reviewer``: ``report.audience``, where ``auto`` means trainer for the
    generated demo client and reviewer for every real client."""
    chosen = (p.get("report") or {}).get("audience", "auto")
    if chosen in ("trainer", "reviewer"):
        return chosen
    return "trainer" if isinstance(p.get("demo"), dict) else "reviewer"


def _notice(entry: dict, lang: str) -> str | None:
    status = entry.get("status")
    if status == "failed":
        err = entry.get("error") or {}
        cell = err.get("cell_index")
        message = html.escape(str(err.get("evalue") or err.get("ename") or ""))
        text = word("step_failed", lang, cell="?" if cell is None else cell + 1,
                    message=f"<b>{message}</b>")
        return f'<div class="csi-failure">{text}</div>'
    if status in {"skipped", "pending", "running"}:
        return (f'<div class="csi-notrun">'
                f'{html.escape(word("step_not_run", lang, status=word(status, lang)))}</div>')
    if status == "not_applicable":      # what the step would show, and what to provide
        from ..optional import note
        return "\n\n".join(emphasis_html(html.escape(note(part, lang), quote=False))
                             for part in entry.get("left_out") or [])
    return None


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags") or [])


def _keep(cell, lang: str) -> bool:
    tags = _tags(cell)
    if tags & _HIDDEN_TAGS:
        return False
    other = {t for code, t in LANG_TAGS.items() if code != lang}
    return not (tags & other)


def _clean_outputs(cell) -> list:
    """A code cell's outputs without stderr chatter or tracebacks (the notice names the
    error; the full traceback is in the run's log), and without the run's notes ("Note:
    ..." lines of :class:`CSIWarning`): they are listed together in the appendix's
    data-quality log, where a reviewer checks what the analysis worked around."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error" or (o.get("output_type") == "stream"
                                               and o.get("name") == "stderr"):
            continue
        if o.get("output_type") == "stream":
            kept = [line for line in o.get("text", "").splitlines(keepends=True)
                    if not line.startswith("Note: ")]
            if not "".join(kept).strip():
                continue
            o["text"] = "".join(kept)
        out.append(o)
    return out


def combined_notebook(run_dir: Path, manifest: dict) -> tuple[nbformat.NotebookNode, list]:
    """One notebook of every chapter of the run, in order, in the report's language, with
    notices where needed; and the method notes moved out of it (reviewer's report)."""
    p = manifest.get("params") or {}
    lang = (p.get("client") or {}).get("language", "en")
    teaching_inline = audience(p) == "trainer"
    combined = nbformat.v4.new_notebook()
    combined.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    combined.metadata["language_info"] = {"name": "python"}
    method_notes = []
    for entry in manifest.get("notebooks", []):
        notice = _notice(entry, lang)
        number = entry["name"][:2]
        title = f"{int(number)}. {step_title(number, lang)}" if number.isdigit() else entry["name"]
        path = run_dir / "notebooks" / f"{entry['name']}.ipynb"
        combined.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
        if notice:
            combined.cells.append(nbformat.v4.new_markdown_cell(notice))
        if entry.get("status") in {"skipped", "pending", "not_applicable"} or not path.exists():
            continue
        nb = nbformat.read(path, as_version=4)
        notes = []
        for cell in nb.cells:
            if not _keep(cell, lang):
                continue
            if cell.cell_type == "code":
                cell.outputs = _clean_outputs(cell)
                if not cell.outputs:
                    continue
            elif cell.cell_type == "markdown":
                source = cell.source
                if source.lstrip().startswith("# "):        # the notebook's own title:
                    source = source.lstrip().split("\n", 1)[1] if "\n" in source else ""
                cell.source = render_math(emphasis_html(source))  # the chapter title replaces it
                if TEACHING_TAG in _tags(cell) and not teaching_inline:
                    notes.append(cell.source)
                    continue
                if not cell.source.strip():
                    continue
            combined.cells.append(cell)
        if notes:
            method_notes.append((title, notes))
    return combined, method_notes


def _exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


def _markdown_html(text: str) -> str:
    """Markdown to HTML as nbconvert renders a markdown cell (the appendix's notes)."""
    from nbconvert.filters import markdown2html_mistune

    return markdown2html_mistune(text)


def unique_heading_ids(body: str) -> str:
    """Headings with the same text ("What comes next" in two chapters) get the same id
    from nbconvert, so a link finds the first; number the repeats (``-2``, ``-3`` ...),
    their anchor links included.

    >>> unique_heading_ids('<h2 id="a">A<a href="#a">¶</a></h2><h2 id="a">A<a href="#a">¶</a></h2>')
    '<h2 id="a">A<a href="#a">¶</a></h2><h2 id="a-2">A<a href="#a-2">¶</a></h2>'
    """
    seen: dict[str, int] = {}

    def swap(m: re.Match) -> str:
        level, anchor, rest = m.group(1), m.group(2), m.group(3)
        seen[anchor] = seen.get(anchor, 0) + 1
        if seen[anchor] == 1:
            return m.group(0)
        new = f"{anchor}-{seen[anchor]}"
        rest = rest.replace(f'href="#{anchor}"', f'href="#{new}"')
        return f'<h{level} id="{new}"{rest}</h{level}>'

    return re.sub(r'<h([1-6]) id="([^"]+)"(.*?)</h\1>', swap, body, flags=re.S)


def _toc(body: str, lang: str) -> str:
    items = []
    for level, anchor, inner in re.findall(r'<h([12]) id="([^"]+)"[^>]*>(.*?)</h\1>', body,
                                            flags=re.S):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        items.append(f'<li class="h{level}"><a href="#{anchor}">{html.escape(text)}</a></li>')
    return (f'<nav class="csi-toc"><h2 class="csi-toc-title">{word("contents", lang)}</h2>'
            f'<ul>{"".join(items)}</ul></nav>')


def _appendix(run_dir: Path, manifest: dict, method_notes: list, lang: str) -> str:
    parts = [f'<h1 id="appendix">{word("appendix", lang)}</h1>',
             f'<h2 id="appendix-quality">A.1 {word("quality_log", lang)}</h2>',
             summary.quality_log_html(run_dir, manifest, lang)]
    if method_notes:
        parts.append(f'<h2 id="appendix-method">A.2 {word("method_notes", lang)}</h2>')
        for title, notes in method_notes:
            parts.append(f'<h3>{html.escape(title)}</h3>')
            parts.extend(f'<div class="csi-method-note">{_markdown_html(n)}</div>' for n in notes)
    return '<section class="csi-appendix">' + "".join(parts) + "</section>"


def render(run_dir: str | Path, manifest: dict) -> Path:
    """Write ``<run_dir>/report.html`` from the run's executed notebooks, tables and manifest.

    Example
    -------
    >>> render("outputs/demo/20261123-101500-a3f9", manifest)   # doctest: +SKIP
    """
    run_dir = Path(run_dir)
    p = manifest.get("params") or {}
    lang = (p.get("client") or {}).get("language", "en")
    nb, method_notes = combined_notebook(run_dir, manifest)
    body, _ = _exporter().from_notebook_node(
        nb, resources={"metadata": {"name": f"{word('report_title', lang)} · "
                                            f"{manifest.get('client_name') or ''}"}})
    # self-contained: no script or stylesheet fetched from elsewhere
    body = re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'<link[^>]+href="https?://[^"]*"[^>]*>', "", body)
    body = re.sub(r"<html[^>]*>", f'<html lang="{lang}">', body, count=1)
    body = body.replace("</head>", style.html_css(manifest, lang) + "</head>", 1)
    end = body.rfind("</body>")
    body = body[:end] + _appendix(run_dir, manifest, method_notes, lang) + body[end:]
    body = unique_heading_ids(body)
    match = re.search(r"<body[^>]*>", body)
    at = match.end() if match else 0
    front = summary.cover_html(run_dir, manifest, lang) + summary.summary_html(run_dir, manifest, lang)
    body = body[:at] + front + _toc(body[at:], lang) + body[at:]
    out = run_dir / "report.html"
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(out)
    return out
