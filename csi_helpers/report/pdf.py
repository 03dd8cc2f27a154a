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
    HTML(filename=str(source), base_url=str(run_dir)).write_pdf(
        str(tmp), stylesheets=[CSS(string=_font_css(), font_config=fonts)], font_config=fonts,
        presentational_hints=True)
    tmp.replace(out)
    return out
