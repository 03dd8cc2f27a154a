"""``report.pdf``: the report printed to A4 by WeasyPrint.

WeasyPrint (a pure-Python HTML/CSS renderer; pip installs it, with the Pango library every
Debian/Ubuntu desktop or server image already has) implements CSS Paged Media, so the
print stylesheet of :mod:`.style` gives the PDF its A4 pages, running header and page
numbers. Chromium would print the same HTML but cannot be installed from the repository's
own files. Fonts are embedded (subset): Latin text in DejaVu/Noto as the system has them,
Chinese in the Noto Sans CJK SC font that ``mplfonts`` ships, so a Chinese report prints
the same on a machine without any CJK font installed.

Example
-------
>>> write_pdf("outputs/demo/20261201-231744-6728")       # doctest: +SKIP
PosixPath('outputs/demo/20261201-231744-6728/report.pdf')
"""
from __future__ import annotations

import logging
from pathlib import Path

__all__ = ["write_pdf"]


def _font_css() -> str:
    from ..plotting import cjk_font_path

    path = cjk_font_path()
    if path is None:
        return ""
    return (f'@font-face {{ font-family: "Noto Sans CJK SC"; src: url("{path.as_uri()}"); }}\n'
            'body { font-family: "DejaVu Sans", "Noto Sans CJK SC", sans-serif; }\n'
            'code, pre { font-family: "DejaVu Sans Mono", "Noto Sans CJK SC", monospace; }\n')


def write_pdf(run_dir: str | Path) -> Path:
    """Print ``<run_dir>/report.html`` to ``<run_dir>/report.pdf`` (A4) and return its path."""
    from weasyprint import CSS, HTML

    # WeasyPrint logs every CSS property it does not support (JupyterLab's stylesheet has
    # many); they are not errors of the report
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    run_dir = Path(run_dir)
    source = run_dir / "report.html"
    out = run_dir / "report.pdf"
    tmp = out.with_suffix(".pdf.tmp")
    HTML(filename=str(source), base_url=str(run_dir)).write_pdf(
        str(tmp), stylesheets=[CSS(string=_font_css())], presentational_hints=True)
    tmp.replace(out)
    return out
