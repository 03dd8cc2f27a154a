"""csi_helpers: every piece of logic behind the csi-workbook notebooks.

Modules are named after the method's concepts (see METHOD.md): ``params``, ``io``,
``framing``, ``collection``, ``quality``, ``scales``, ``reliability``, ``factors``,
``pls``, ``indices``, ``tiering``, ``demo``, ``workbook``, ``runner``, ``report``, ``cli``.

    from csi_helpers import reliability, factors, pls
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "params", "io", "errors", "framing", "collection", "quality", "scales", "reliability",
    "factors", "pls", "indices", "tiering", "demo", "workbook", "runner", "report", "cli",
    "plotting", "measurement",
}


def __getattr__(name: str):
    # Lazy submodule import keeps `import csi_helpers` cheap (the CLI starts fast).
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'csi_helpers' has no attribute {name!r}")
