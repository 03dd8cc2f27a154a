"""The report's look: one stylesheet for the screen and for print (A4).

The screen style keeps JupyterLab's rendering of cells and adds the cover, the summary and
the tables' frame. The print style (Chromium's print dialog and :mod:`.pdf`) sets A4 pages
with margins, a running header (client and wave) and page numbers (CSS Paged Media margin
boxes, which WeasyPrint implements), starts each chapter on a new page, keeps figures and
table rows whole, and lets wide tables shrink and wrap instead of running off the page.
"""
from __future__ import annotations


__all__ = ["html_css", "print_css"]

_SCREEN = """
:root { --csi-blue: #1f4e79; }
body { max-width: 1100px; margin: 0 auto; font-family: "Noto Sans", "Segoe UI", Roboto,
       "Helvetica Neue", Arial, "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; overflow-wrap: anywhere; }
.csi-cover { padding: 3em 1em 2em; border-bottom: 4px solid var(--csi-blue); }
.csi-cover-kicker { color: #595959; font-size: 1.1em; margin: 0; letter-spacing: .02em; }
.csi-cover-title { color: var(--csi-blue); font-size: 2.2em; margin: .2em 0 .6em; }
.csi-cover-facts th { text-align: left; padding: 3px 18px 3px 0; color: #595959; font-weight: normal; }
.csi-cover-facts td { padding: 3px 0; font-weight: bold; }
.csi-steps { list-style: none; padding: 0; columns: 2; }
.csi-steps li { margin: .15em 0; }
.csi-status-ok { color: #2e7d32; font-weight: bold; }
.csi-status-failed { color: #c62828; font-weight: bold; }
.csi-status-skipped, .csi-status-pending, .csi-status-running { color: #9e9e9e; font-weight: bold; }
.csi-trace { color: #595959; font-size: .9em; margin-top: 2em; }
.csi-summary { padding: 1em; }
.csi-summary h1 { color: var(--csi-blue); }
.csi-summary h2 { font-size: 1.1em; margin: 1em 0 .3em; color: var(--csi-blue); }
.csi-kpi { border: 2px solid var(--csi-blue); border-radius: 6px; padding: .6em 1em;
           display: inline-block; min-width: 18em; }
.csi-kpi-label { color: #595959; }
.csi-kpi-value { font-size: 2.6em; font-weight: bold; color: var(--csi-blue); line-height: 1.1; }
.csi-kpi-ci, .csi-kpi-change { color: #333; }
.csi-lv-bars { border-collapse: collapse; width: 100%; max-width: 640px; }
.csi-lv-bars th { text-align: left; font-weight: normal; padding: 2px 10px 2px 0; width: 40%; }
.csi-lv-bars td { padding: 2px 0; }
.csi-bar-cell { width: 50%; }
.csi-bar { display: inline-block; height: .8em; background: var(--csi-blue); }
.csi-num { text-align: right; padding-left: 8px; font-variant-numeric: tabular-nums; }
.csi-good { color: #2e7d32; } .csi-bad { color: #c62828; }
.csi-toc { background: #f5f7fa; border: 1px solid #dde3ea; padding: .8em 1.5em; margin: 1em; }
.csi-toc-title { font-size: 1.2em; margin: 0 0 .3em; }
.csi-toc ul { margin: .2em 0; padding-left: 1.2em; }
.csi-toc li.h2 { margin-left: 1.2em; font-size: .95em; }
.csi-failure { border: 2px solid #c62828; background: #fdecea; padding: .8em 1em; margin: 1em;
               border-radius: 4px; }
.csi-notrun { border: 2px dashed #9e9e9e; background: #f5f5f5; padding: .8em 1em; margin: 1em; }
.csi-table { max-width: 100%; overflow-x: auto; }
.csi-table table { max-width: 100%; }
.csi-table td { overflow-wrap: anywhere; }
.csi-table th { overflow-wrap: break-word; }   /* a header breaks between words, not inside one */
.csi-figure { margin: .5em 0; }
.csi-figure img { height: auto; }
.csi-appendix { padding: 0 1em; }
.csi-method-note { font-size: .95em; }
.jp-OutputArea-output pre { white-space: pre-wrap; }
"""

_PRINT = """
@page {
  size: A4; margin: 20mm 16mm 18mm 16mm;
  @top-left { content: "%(header)s"; font-size: 8pt; color: #595959; }
  @top-right { content: string(chapter); font-size: 8pt; color: #595959; }
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #595959; }
}
@page :first { @top-left { content: none; } @top-right { content: none; } }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  .csi-cover { page-break-after: always; border-bottom: none; padding-top: 30mm; }
  .csi-summary { page-break-after: always; padding: 0; }
  .csi-toc { page-break-after: always; margin: 0; }
  /* page numbers in the contents (CSS Paged Media; WeasyPrint fills them, browsers skip it) */
  .csi-toc a::after { content: leader(". ") target-counter(attr(href), page); }
  .csi-toc a { display: block; }
  .jp-Cell h1, .csi-appendix h1 { page-break-before: always; string-set: chapter content(); }
  h1, h2, h3 { page-break-after: avoid; }
  .csi-figure, .csi-figure img, tr { page-break-inside: avoid; }
  .csi-figure img { max-width: 100% !important; }
  .csi-table { overflow: visible; }
  .csi-table table { width: 100% !important; table-layout: auto; }
  .csi-table td, .csi-table th { font-size: 7.5pt !important; padding: 2px 3px !important; }
  a { color: inherit; text-decoration: none; }
  .jp-OutputArea-output pre { white-space: pre-wrap; font-size: 8pt; }
}
"""


def print_css(manifest: dict, lang: str) -> str:
    """The print stylesheet with the running header (client and wave) filled in."""
    client = (manifest.get("params") or {}).get("client") or {}
    header = " · ".join(x for x in (client.get("name") or "", client.get("wave") or "") if x)
    header = header.replace("\\", "\\\\").replace('"', '\\"')
    return _PRINT.replace("%(header)s", header)


def html_css(manifest: dict, lang: str) -> str:
    """The ``<style>`` block of ``report.html`` (screen and print)."""
    return f"<style>{_SCREEN}{print_css(manifest, lang)}</style>"
