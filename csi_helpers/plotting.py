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
#: resolution of saved figures: shown at half their pixels, so twice as sharp as the screen
PRINT_DPI = 200
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


def diverging_likert_figure(values, points: int, item_labels: dict | None = None,
                            scale_labels: list[str] | None = None, lang: str = "en",
                            title: str | None = None, reverse_items=(), sort: bool = False):
    """Diverging stacked bars of the answer distribution per item (one bar per item).

    Each bar shows the shares of the answered (missing excluded) on each scale point,
    negative points to the left of zero and positive to the right; the middle point of an
    odd scale straddles zero. The bottom-2 and top-2 shares are printed at the bar ends
    and each label ends with the number answered. Reverse-keyed items are marked (R) and
    drawn as answered (not reversed).

    Parameters
    ----------
    values : DataFrame of items as numbers 1..points (``scales.assign(...).values``).
    points : scale points.
    item_labels : ``{item: text}`` in the client's language (default: the item ids).
    scale_labels : the label of each point, 1..points (``scales.scale_labels``).
    lang : "en" | "zh" for the axis texts.
    sort : order by top-2 share instead of the given item order.

    Example
    -------
    >>> fig = diverging_likert_figure(cleaning.data[items], 5)   # doctest: +SKIP
    """
    import textwrap

    import numpy as np

    from . import scales

    setup()
    zh = lang == "zh"
    dist = scales.distribution(values, points)
    if sort:
        dist = dist.sort_values("top2", ascending=True, kind="stable")
    else:
        dist = dist.iloc[::-1]
    shares = dist[[f"share_{v}" for v in range(1, points + 1)]].fillna(0).to_numpy() * 100
    labels = []
    for item, n in zip(dist.index, dist["n"]):
        text = (item_labels or {}).get(item, "")
        full = f"{item} {text}".strip() + (" (R)" if item in set(reverse_items) else "")
        full = textwrap.fill(full, 26 if zh else 48, break_long_words=zh)
        labels.append(f"{full}  n={int(n)}")
    half = points // 2
    mid = points % 2 == 1
    neg = shares[:, :half].sum(axis=1) + (shares[:, half] / 2 if mid else 0)
    colours = LIKERT_COLOURS if points == 5 else [
        plt.get_cmap("RdBu")(x) for x in np.linspace(0.1, 0.9, points)]
    names = scale_labels or [str(v) for v in range(1, points + 1)]
    fig, ax = plt.subplots(figsize=(11, 0.36 * len(dist) + 1.8))
    y = np.arange(len(dist))
    left = -neg
    for k in range(points):
        ax.barh(y, shares[:, k], left=left, color=colours[k], edgecolor="white", lw=0.5,
                label=names[k], height=0.75)
        left = left + shares[:, k]
    for yi, (b2, t2, lo, hi) in enumerate(zip(dist["bottom2"], dist["top2"], -neg, left)):
        if np.isfinite(b2):
            ax.text(lo - 1, yi, f"{b2:.0%}", ha="right", va="center", fontsize=8, color="#555555")
            ax.text(hi + 1, yi, f"{t2:.0%}", ha="left", va="center", fontsize=8, color="#555555")
    ax.axvline(0, color="#333333", lw=0.8)
    lim = max(float(np.nanmax(neg)) if len(neg) else 50, float(np.nanmax(left)) if len(left) else 50)
    lim = min(100.0, lim + 12)
    ax.set_xlim(-lim, lim)
    ax.set_yticks(y, labels, fontsize=8.5)
    ticks = [t for t in range(-100, 101, 25) if abs(t) <= lim]
    ax.set_xticks(ticks, [f"{abs(t)}%" for t in ticks])
    ax.set_xlabel("回答占比（不含缺失），左：不满意侧，右：满意侧" if zh
                  else "share of answers (missing excluded); left: negative, right: positive")
    ax.legend(ncols=points, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
              fontsize=9)
    ax.set_title(title or ("各题项的回答分布" if zh else "Answer distribution per item"),
                 loc="left", pad=28)
    fig.tight_layout()
    return fig


def alt_text(fig, fallback: str = "") -> str:
    """A description of ``fig`` for its ``alt`` attribute: its title (the figure's
    suptitle, else its axes' titles) and what the axes show.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set(title="CSI by region", xlabel="Region", ylabel="CSI")
    >>> alt_text(fig)
    'CSI by region (x: Region; y: CSI)'
    """
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(suptitle.get_text().strip())
    axes_text = []
    for ax in fig.get_axes():
        title = " ".join(t.get_text().strip() for t in (ax.title, ax._left_title, ax._right_title)
                         if t.get_text().strip())
        labels = "; ".join(f"{k}: {v}" for k, v in (("x", ax.get_xlabel()), ("y", ax.get_ylabel()))
                           if v.strip())
        if title or labels:
            axes_text.append(f"{title} ({labels})".strip() if labels else title)
    parts.extend(t for t in axes_text if t)
    text = " | ".join(p for p in parts if p).replace(" ()", "")
    return " ".join((text or fallback).split())


def figure_html(png: bytes, alt: str, name: str = "") -> str:
    """An HTML ``<figure>`` embedding ``png`` (made at :data:`PRINT_DPI`) at its screen size."""
    import base64
    import html
    import struct

    width = struct.unpack(">I", png[16:20])[0] if png[:8] == b"\x89PNG\r\n\x1a\n" else None
    size = f' style="width: {round(width * 100 / PRINT_DPI)}px; max-width: 100%"' if width else ""
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure class="csi-figure" data-figure="{html.escape(name)}">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"{size}>'
            "</figure>")
