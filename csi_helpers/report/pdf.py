"""``report.pdf``: the report printed to A4 by WeasyPrint.

WeasyPrint (a pure-Python HTML/CSS renderer; pip installs it, with the Pango library every
Debian/Ubuntu desktop or server image already has) implements CSS Paged Media, so the
print stylesheet of :mod:`.style` gives the PDF its A4 pages, running header and page
numbers. Chromium would print the same HTML but cannot be installed from the repository's
own files. Fonts are embedded (subset) and come with the installed packages, not the
system: Latin text in the DejaVu fonts matplotlib ships, Chinese in the Noto Sans CJK SC
font that ``mplfonts`` ships, so a report prints the same on a machine without any font
installed.

Example
-------
>>> write_pdf("outputs/demo/20261201-231744-6728")       # doctest: +SKIP
PosixPath('outputs/demo/20261201-231744-6728/report.pdf')
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

__all__ = ["write_pdf"]


def _font_css() -> str:
    """@font-face rules for fonts that come with the installed packages (DejaVu from
    matplotlib, Noto Sans CJK SC from mplfonts), so the PDF looks the same on every machine,
    whatever fonts the system has; the whole report is set in them."""
    from pathlib import Path as _Path

    import matplotlib

    from ..plotting import cjk_font_path

    ttf = _Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
    faces = [("DejaVu Sans", "DejaVuSans.ttf", "normal", "normal"),
             ("DejaVu Sans", "DejaVuSans-Bold.ttf", "bold", "normal"),
             ("DejaVu Sans", "DejaVuSans-Oblique.ttf", "normal", "italic"),
             ("DejaVu Sans", "DejaVuSans-BoldOblique.ttf", "bold", "italic"),
             ("DejaVu Sans Mono", "DejaVuSansMono.ttf", "normal", "normal")]
    rules = [f'@font-face {{ font-family: "{family}"; src: url("{(ttf / name).as_uri()}"); '
             f"font-weight: {weight}; font-style: {style}; }}"
             for family, name, weight, style in faces if (ttf / name).exists()]
    cjk = cjk_font_path()
    if cjk is not None:
        rules.append(f'@font-face {{ font-family: "Noto Sans CJK SC"; src: url("{cjk.as_uri()}"); }}')
    rules.append('body, body * { font-family: "DejaVu Sans", "Noto Sans CJK SC" !important; }')
    rules.append('code, pre, code *, pre * { font-family: "DejaVu Sans Mono", "Noto Sans CJK SC" '
                 "!important; }")
    rules.append('@page { @top-left { font-family: "DejaVu Sans", "Noto Sans CJK SC"; } '
                 '@top-right { font-family: "DejaVu Sans", "Noto Sans CJK SC"; } '
                 '@bottom-center { font-family: "DejaVu Sans", "Noto Sans CJK SC"; } }')
    return "\n".join(rules)


_GT_STYLE = re.compile(r"<style[^>]*>\s*#(csi-[\w-]+) .*?</style>", flags=re.S)


def _one_table_stylesheet(html: str) -> str:
    """great-tables writes a stylesheet per table, scoped by the table's id (~9 KB each,
    60 in the demo); WeasyPrint matches every rule against every element, so the PDF gets
    one copy scoped by class instead (the print CSS sets the tables' font size anyway)."""
    first = _GT_STYLE.search(html)
    if first is None:
        return html
    # the class three times keeps the specificity of the id it replaces above the notebook CSS
    shared = first.group(0).replace(f"#{first.group(1)}", ".csi-table.csi-table.csi-table")
    html = _GT_STYLE.sub("", html)
    return html.replace("</head>", shared + "</head>", 1)


def write_pdf(run_dir: str | Path) -> Path:
    """Print ``<run_dir>/report.html`` to ``<run_dir>/report.pdf`` (A4) and return its path."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # WeasyPrint logs every CSS property it does not support (JupyterLab's stylesheet has
    # many); they are not errors of the report
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    run_dir = Path(run_dir)
    source = run_dir / "report.html"
    out = run_dir / "report.pdf"
    tmp = out.with_suffix(".pdf.tmp")
    fonts = FontConfiguration()          # @font-face rules load only through one of these
    html = _one_table_stylesheet(source.read_text(encoding="utf-8"))
    HTML(string=html, base_url=str(run_dir)).write_pdf(
        str(tmp), stylesheets=[CSS(string=_font_css(), font_config=fonts)], font_config=fonts,
        presentational_hints=True)
    tmp.replace(out)
    return out
