"""The deliverables of a run: ``report.html``, ``report.pdf`` and ``tables.xlsx``.

Rooms: :mod:`.assemble` (the executed notebooks joined into one report, in one language),
:mod:`.summary` (cover and executive summary from the run's tables), :mod:`.tables`
(tables made for reading, through great-tables), :mod:`.vocabulary` (headers, titles and
words in English and Chinese), :mod:`.style` (screen and A4 print), :mod:`.pdf` (WeasyPrint).

The assembly and the PDF are imported on first use: a notebook kernel only needs
:mod:`.tables` and :mod:`.vocabulary`, and nbformat's import (through jsonschema's
rfc3987-syntax grammar) costs ~1.8 s, once per kernel, six kernels a run.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["render", "render_math", "combined_notebook", "audience", "write_pdf",
           "tables_workbook"]

_LAZY = {"render": "assemble", "render_math": "assemble", "combined_notebook": "assemble",
         "audience": "assemble", "write_pdf": "pdf"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def tables_workbook(run_dir: str | Path, lang: str = "en",
                    max_rows: int | None = None) -> Path | None:
    """Gather ``tables/*.csv`` into the formatted Excel deliverable ``tables.xlsx`` (a
    contents sheet, then one sheet per table of at most ``max_rows`` rows,
    ``report.excel_max_rows``): see :mod:`csi_helpers.excel`."""
    from ..excel import write_tables_workbook

    return write_tables_workbook(run_dir, lang, max_rows)
