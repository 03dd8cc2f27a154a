"""Headless Chromium for the report tests: launch it, and the in-page checks of a report.

Debian's ``/usr/bin/chromium`` is driven by playwright-python; no browser is ever downloaded
(``executable_path`` points at the system one). Every ``*_findings`` function takes a loaded
playwright ``Page`` and returns a list of plain descriptions (empty: nothing wrong), so the
tests only format them; ``language_findings`` works on the texts ``language_texts`` collects.
Elements are named by their nearest preceding heading, as a reader of the report finds them.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
A4 = {"width": 794, "height": 1123}          # A4 at 96 px per inch


def require_browser():
    """The playwright module and the path of ``chromium``; skip when either is absent, or fail
    when ``CSI_REQUIRE_BROWSER=1`` (CI installs Chromium and sets it, so a missing browser
    cannot pass unnoticed)."""
    problem = None
    try:
        import playwright.sync_api as api
    except ImportError as exc:
        api, problem = None, (f"playwright-python is not installed ({exc}); "
                              "pip install -e .[test]")
    path = shutil.which("chromium")
    if problem is None and path is None:
        problem = "no `chromium` on PATH (Debian/Ubuntu: apt-get install chromium)"
    if problem:
        if os.environ.get("CSI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"report browser tests: {problem}; CSI_REQUIRE_BROWSER=1 requires "
                        "headless Chromium", pytrace=False)
        pytest.skip(f"report browser tests need headless Chromium: {problem}")
    return api, path


def launch(playwright, path: str):
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


def block_network(page) -> list[str]:
    """Abort every request that is not file: or data:, and return the list they are recorded
    in: a report must be self-contained, and the tests must not depend on the network."""
    blocked: list[str] = []

    def handle(route):
        blocked.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!file:|data:|about:|blob:)"), handle)
    return blocked


# ------------------------------------------------------------------ shared JavaScript
# heading(el): the text of the last h1-h6 before el in document order, for messages.
_JS_HELPERS = r"""
const HEADINGS = Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'));
const clean = s => (s || '').replace(/\u00b6/g, '').replace(/\s+/g, ' ').trim();
const cut = (s, n) => s.length > n ? s.slice(0, n - 1) + '\u2026' : s;
function heading(el) {
  const own = el.querySelector && el.querySelector('h1,h2,h3,h4,h5,h6');
  if (own) return cut(clean(own.textContent), 80);     // a cell headed by its own heading
  let found = null;
  for (const h of HEADINGS) {
    if (h === el || h.contains(el)) { found = h; continue; }
    if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = h;
    else break;
  }
  return found ? cut(clean(found.textContent), 80) : '(before the first heading)';
}
function describe(el) {
  let s = el.tagName.toLowerCase();
  if (el.id && el.id.length <= 30 && !/^H[1-6]$/.test(el.tagName)) s += '#' + el.id;
  const cls = Array.from(el.classList).slice(0, 2);
  if (cls.length) s += '.' + cls.join('.');
  return s;
}
"""

_JS_IMAGES = _JS_HELPERS + r"""
async () => {
  const imgs = Array.from(document.images);
  // give lazy or still-decoding images their chance: a slow image is not a broken one
  await Promise.all(imgs.map(img => {
    if (img.loading === 'lazy') img.loading = 'eager';
    if (img.complete) return null;
    return new Promise(done => {
      img.addEventListener('load', done); img.addEventListener('error', done);
      setTimeout(done, 5000);
    });
  }));
  const out = [];
  imgs.forEach((img, i) => {
    if (img.complete && img.naturalWidth > 0) return;
    const src = img.getAttribute('src') || '';
    out.push(`image ${i + 1} of ${imgs.length} (alt=${JSON.stringify(img.alt || '')}, under `
             + `heading '${heading(img)}', src=${JSON.stringify(cut(src, 60))}`
             + `${src.length > 60 ? ' (' + src.length + ' chars)' : ''}): `
             + `did not load (complete: ${img.complete}, naturalWidth: ${img.naturalWidth})`);
  });
  return out;
}
"""

# the elements that stick out past the viewport themselves (their parent does not), outside
# any box that clips or scrolls them: what makes the page scroll sideways
_JS_OVERFLOW = _JS_HELPERS + r"""
() => {
  const de = document.documentElement, iw = window.innerWidth;
  const result = {scrollWidth: de.scrollWidth, innerWidth: iw, culprits: []};
  if (de.scrollWidth <= iw) return result;
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body && a !== de; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  const right = el => el.getBoundingClientRect().right + window.scrollX;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || right(el) <= iw + 1) continue;
    const p = el.parentElement;
    if (p && p !== document.body && right(p) > iw + 1) continue;
    if (clipped(el)) continue;
    result.culprits.push(`${describe(el)} under heading '${heading(el)}': `
                         + `${Math.round(r.width)} px wide, right edge at `
                         + `${Math.round(right(el))} px`);
  }
  return result;
}
"""

_JS_PRINT_TABLES = _JS_HELPERS + r"""
() => {
  const body = document.body, bs = getComputedStyle(body), br = body.getBoundingClientRect();
  const contentRight = br.right - parseFloat(bs.borderRightWidth) - parseFloat(bs.paddingRight);
  const tables = Array.from(document.querySelectorAll('table'));
  const out = [];
  tables.forEach((t, i) => {
    const r = t.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;          // not printed
    const why = [];
    if (r.right > contentRight + 1)
      why.push(`its right edge (${Math.round(r.right)} px) is past the page content `
               + `(body content box ends at ${Math.round(contentRight)} px)`);
    for (let c = t.parentElement; c && c !== body && c !== document.documentElement;
         c = c.parentElement) {
      const ox = getComputedStyle(c).overflowX;
      if (ox === 'visible') continue;
      if (r.width > c.clientWidth + 1)
        why.push(`it is ${Math.round(r.width)} px wide in a ${c.clientWidth} px `
                 + `${describe(c)} with overflow-x: ${ox}, which cuts it on paper`);
      break;
    }
    if (!why.length) return;
    const cols = Array.from(t.querySelectorAll('thead th, tr:first-child th'))
      .map(th => clean(th.textContent)).filter(Boolean).slice(0, 4);
    out.push(`table ${i + 1} of ${tables.length} under heading '${heading(t)}'`
             + (cols.length ? ` (columns ${cut(cols.join(' | '), 60)})` : '')
             + ': ' + why.join('; and '));
  });
  return out;
}
"""

LANGUAGE_SELECTOR = "h1,h2,h3,h4,.jp-MarkdownCell,th,caption,figcaption,.csi-cover,.csi-summary"
LANGUAGE_EXCLUDED = "code,pre,.csi-data"

# The visible text of every checked element, each text node counted once, for its innermost
# checked ancestor (a th inside a markdown cell is its own element); block boundaries become
# newlines, so words of two paragraphs never join into one run.
_JS_TEXTS = _JS_HELPERS + r"""
([selector, excluded]) => {
  const skip = excluded + ',script,style,noscript,template,math,.MathJax,mjx-container';
  const owners = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || !n.nodeValue.trim() || parent.closest(skip)) continue;
    const owner = parent.closest(selector);
    if (!owner) continue;
    if (!parent.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true})) continue;
    let block = parent;
    while (block !== owner && getComputedStyle(block).display.startsWith('inline'))
      block = block.parentElement;
    if (!owners.has(owner)) owners.set(owner, {parts: [], block: null});
    const o = owners.get(owner);
    if (o.block !== null && o.block !== block) o.parts.push('\n');
    o.parts.push(n.nodeValue.replace(/\s+/g, ' '));
    o.block = block;
  }
  return Array.from(owners, ([el, o]) => ({
    element: /^H[1-6]$/.test(el.tagName) ? `heading ${describe(el)}`
             : `${describe(el)} under heading '${heading(el)}'`,
    text: o.parts.join('').split('\n').map(s => s.replace(/ +/g, ' ').trim())
             .filter(Boolean).join('\n'),
  }));
}
"""


def image_findings(page) -> list[str]:
    return page.evaluate(_JS_IMAGES)


def overflow(page) -> dict:
    """``{"scrollWidth", "innerWidth", "culprits"}`` of the page as laid out now."""
    return page.evaluate(_JS_OVERFLOW)


def print_table_findings(page) -> list[str]:
    """Tables cut off on paper; call with print media emulated and an A4-wide viewport."""
    return page.evaluate(_JS_PRINT_TABLES)


def language_texts(page) -> list[dict]:
    """``[{"element", "text"}]``: the visible text of headings, markdown cells, table headers,
    captions, the cover and the summary, without code, pre and ``.csi-data`` (client data)."""
    return page.evaluate(_JS_TEXTS, [LANGUAGE_SELECTOR, LANGUAGE_EXCLUDED])


# ------------------------------------------------------------------ language rules
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]+")
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'’-]+[A-Za-z]{2,}){2,}")
WORD = re.compile(r"[A-Za-z]{2,}")
# method names and abbreviations a Chinese report keeps in Latin letters
KNOWN_NAMES = frozenset("CSI ACSI ECSI KMO EFA CFA PLS IPMA RFM CFI TLI RMSEA SRMR AVE HTMT "
                        "ABC VIP".split())


def _snippet(text: str, start: int, end: int, context: int = 15, longest: int = 70) -> str:
    """The match with ``context`` characters either side, at most ``longest`` of the match."""
    a, b = max(0, start - context), min(len(text), end + context)
    if end - start > longest:
        s, b = text[a:start + longest] + "…", start + longest
    else:
        s = text[a:b]
    s = s.replace("\n", " / ")
    return ("…" if a > 0 else "") + s + ("…" if b < len(text) and not s.endswith("…") else "")


# names joined by hyphens: "Kaiser-Meyer-Olkin", "Fornell-Larcker", "Benjamini-Hochberg"
HYPHENATED_NAMES = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)+\b")


def _only_names(run: str) -> bool:
    """Whether a run of English words is only known abbreviations, hyphenated proper names
    ("Kaiser-Meyer-Olkin") and author citations ("Fornell et al", "Hair et al")."""
    spans = [m.span() for m in HYPHENATED_NAMES.finditer(run)]
    matches = list(WORD.finditer(run))
    words = [m.group() for m in matches]
    ok = [w in KNOWN_NAMES or any(a <= m.start() and m.end() <= b for a, b in spans)
          for w, m in zip(words, matches)]
    for i in range(len(words) - 1):
        if words[i] == "et" and words[i + 1] == "al":
            ok[i] = ok[i + 1] = True
            # the author(s) before "et al": capitalised names, with "and" between them
            j = i - 1
            while j >= 0 and (words[j][0].isupper() or words[j] == "and"):
                ok[j] = True
                j -= 1
    return all(ok)


def language_findings(texts: list[dict], lang: str) -> list[str]:
    """Snippets of ``texts`` in the other language: any CJK character when ``lang`` is en;
    three or more English words in a row when it is zh (known abbreviations and citations
    aside)."""
    out = []
    for item in texts:
        text = item["text"]
        if lang == "zh":
            hits = [m for m in ENGLISH_RUN.finditer(text) if not _only_names(m.group())]
        else:
            hits = list(CJK.finditer(text))
        for m in hits:
            out.append(f"{item['element']}: {_snippet(text, m.start(), m.end())!r}")
    return out
