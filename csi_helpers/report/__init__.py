"""The deliverables of a run: ``report.html``, ``report.pdf`` and ``tables.xlsx``.

Rooms: :mod:`.assemble` (the executed notebooks joined into one report, in one language),
:mod:`.summary` (cover and executive summary from the run's tables), :mod:`.tables`
(tables made for reading, through great-tables), :mod:`.vocabulary` (headers, titles and
words in English and Chinese), :mod:`.style` (screen and A4 print), :mod:`.pdf` (WeasyPrint).
"""
from __future__ import annotations

from pathlib import Path

from .assemble import audience, combined_notebook, render, render_math
from .pdf import write_pdf

__all__ = ["render", "render_math", "combined_notebook", "audience", "write_pdf",
           "tables_workbook"]


def tables_workbook(run_dir: str | Path, lang: str = "en") -> Path | None:
    """Gather ``tables/*.csv`` into the formatted Excel deliverable ``tables.xlsx`` (a
    contents sheet, then one sheet per table): see :mod:`csi_helpers.excel`."""
    from ..excel import write_tables_workbook

    return write_tables_workbook(run_dir, lang)
