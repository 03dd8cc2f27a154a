"""Record the printed output of every ``# NBVAL_CHECK_OUTPUT`` cell on the demo client.

    .venv/bin/python tests/update_notebook_outputs.py

Executes each notebook as a trainer would (defaults of the parameters cell) and writes
tests/notebook_outputs.json. Review the diff before committing: a changed number is a
changed result.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
from test_notebooks import EXPECTED, MARK, NAMES, NB_DIR, comparable_outputs  # noqa: E402


def main() -> None:
    expected = {}
    for name in NAMES:
        nb = nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NB_DIR)}}).execute()
        texts = []
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.lstrip().startswith(MARK):
                texts.append(comparable_outputs(cell.outputs))
        expected[name] = texts
        print(f"{name}: {len(texts)} checked cell(s)")
    EXPECTED.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")


if __name__ == "__main__":
    main()
