"""House style for figures, with Chinese (CJK) glyphs that render on any machine.

Matplotlib's default fonts have no CJK glyphs, so Chinese labels (非常满意, 感知质量) render
as boxes unless a CJK font is found. ``setup()`` registers the Noto Sans CJK SC font that
the ``mplfonts`` package ships and puts it after DejaVu Sans in the fallback list, so
Latin text keeps the default look and Chinese characters fall back to Noto.
"""
from __future__ import annotations

import logging
from pathlib import Path

import matplotlib


import matplotlib.pyplot as plt
from matplotlib import font_manager

PALETTE = {
    "primary": "#1f4e79",
    "accent": "#c55a11",
    "good": "#2e7d32",
    "bad": "#c62828",
    "neutral": "#9e9e9e",
}
#: Diverging colours for a 5-point scale, most negative first.
LIKERT_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]

_CJK_FAMILY = "Noto Sans CJK SC"
_done = False


def cjk_font_path() -> Path | None:
    """Path of the bundled Noto Sans CJK SC font, or None when mplfonts is absent."""
    try:
        import mplfonts  # noqa: F401  (ships the font files; we only read them)
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.exists() else None


def setup() -> None:
    """Apply the house style and CJK font fallback (idempotent).

    Example
    -------
    >>> from csi_helpers import plotting
    >>> plotting.setup()
    """
    global _done
    if _done:
        return
    # the CJK font has no bold face; matplotlib would log that at every bold title
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    path = cjk_font_path()
    families = ["DejaVu Sans"]
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        families.append(_CJK_FAMILY)
    plt.rcParams.update({
        # a list of concrete families: matplotlib falls back glyph by glyph along it
        "font.family": families,
        "axes.unicode_minus": False,
        "figure.dpi": 100,
        "savefig.dpi": 120,
        "savefig.bbox": "tight",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
    })
    _done = True
