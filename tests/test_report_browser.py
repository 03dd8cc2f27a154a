"""The report as a reader sees it: ``report.html`` of a demo run opened in headless Chromium.

For the demo run in English and in Chinese (one full ``csi run`` each, made once for the
module): every image loads; the page is no wider than the window on a desktop screen or an
A4-wide one; no console error or uncaught exception; no table cut off on paper; the visible
narrative is in the report's language (``<html lang>``, else the run's client.language; the
client's when the two disagree, which a test of its own reports);
Chromium prints it to an A4 PDF; a ``report.pdf`` of the run, if any, is A4 with its fonts
embedded. The checks themselves are tested first, on small synthetic pages that need no run.

Chromium is Debian's ``chromium`` driven by playwright-python (no browser is downloaded).
Without it these tests skip, or fail when ``CSI_REQUIRE_BROWSER=1`` (as CI sets it).
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import yaml

import _browser as B

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ["demo-en", "demo-zh"]          # the demo client run with client.language en / zh
VIEWPORTS = [pytest.param(B.DESKTOP, id="1280x900"), pytest.param(B.A4, id="A4-794x1123")]
SHOWN = 20                                # offending items listed in a failure message


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def browser():
    api, path = B.require_browser()
    pw = api.sync_playwright().start()
    try:
        browser = B.launch(pw, path)
    except Exception as exc:   # present but does not start: a broken install, not a skip
        pw.stop()
        pytest.fail(f"{path} is present but headless Chromium did not start: {exc}",
                    pytrace=False)
    yield browser
    browser.close()
    pw.stop()


def _run_env() -> dict:
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.pop("CSI_ROOT", None)                 # the project is the temporary one (cwd)
    return env


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory) -> dict[str, Path | str]:
    """``{"demo-en": run folder, "demo-zh": run folder}``: the demo client run in full once per
    language, in two temporary projects that share one copy of the generated demo data; both
    runs go in parallel. A run that failed maps to the message saying why."""
    from csi_helpers import demo, params

    base = tmp_path_factory.mktemp("report_browser")
    demo_params = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    roots = {}
    for name in REPORTS:
        root = roots[name] = base / name
        (root / "params").mkdir(parents=True)
        os.symlink(ROOT / "notebooks", root / "notebooks")
        p = copy.deepcopy(demo_params)
        p["client"]["language"] = name.split("-")[1]
        (root / "params" / "demo.yaml").write_text(
            yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
    first = roots[REPORTS[0]]
    demo.ensure(params.load(first / "params" / "demo.yaml"))     # data/demo/ generated once
    for name in REPORTS[1:]:
        os.symlink(first / "data", roots[name] / "data")
    procs = {}
    for name, root in roots.items():
        with open(root / "csi-run.log", "w", encoding="utf-8") as log:
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", "csi_helpers.cli", "run", "demo", "--no-progress"],
                cwd=root, stdout=log, stderr=subprocess.STDOUT, text=True, env=_run_env())
    runs: dict[str, Path | str] = {}
    for name, proc in procs.items():
        try:
            code = proc.wait(timeout=900)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = "killed after 900 s"
        out = (roots[name] / "csi-run.log").read_text(encoding="utf-8", errors="replace")
        report = Path(out.strip().splitlines()[-1]) if out.strip() else None
        if code == 0 and report and report.name == "report.html" and report.exists():
            runs[name] = report.parent
        else:
            what = f"exited {code}" if code != 0 else "exited 0 but wrote no report.html"
            runs[name] = (f"{name}: `csi run demo` (client.language {name.split('-')[1]}) "
                          f"{what}; its output ends:\n{out[-3000:]}")
    return runs


def run_dir(demo_runs, name: str) -> Path:
    run = demo_runs[name]
    if isinstance(run, str):
        pytest.fail(run, pytrace=False)
    return run


def manifest_language(run: Path) -> str | None:
    try:
        m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        return m["params"]["client"].get("language")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def report_language(html_lang: str | None, manifest_lang: str | None) -> tuple[str, str]:
    """The report's language (``en`` / ``zh``) and where it came from: ``<html lang>``,
    else the run's client.language, else en. When the two disagree the client's language
    is the one the report was meant to be in (nbconvert writes ``lang="en"`` whatever the
    client's language): that is used, the message says so, and
    ``test_declared_language_is_the_clients`` fails on the declaration."""
    declared = html_lang.strip().split("-")[0].lower() if html_lang and html_lang.strip() \
        else None
    client = manifest_lang.split("-")[0].lower() if manifest_lang else None
    if declared and client and declared != client:
        return client, (f'manifest.json params.client.language ({manifest_lang}); report.html '
                        f'declares <html lang="{html_lang.strip()}">, which disagrees')
    if declared:
        return declared, f'<html lang="{html_lang.strip()}">'
    if manifest_lang:
        return manifest_lang.split("-")[0].lower(), \
            f"manifest.json params.client.language ({manifest_lang}; no <html lang>)"
    return "en", "the default (no <html lang>, no client.language in manifest.json)"


def listed(items: list[str], n: int = SHOWN) -> str:
    more = f"\n  ... and {len(items) - n} more" if len(items) > n else ""
    return "".join(f"\n  - {s}" for s in items[:n]) + more


@contextmanager
def opened(browser, path: Path, viewport: dict, media: str | None = None):
    """``(page, errors, blocked)``: ``path`` loaded in a fresh page; ``errors`` gathers the
    console errors and uncaught exceptions from before the load on; requests that are not
    file: or data: are aborted and listed in ``blocked``."""
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    blocked = B.block_network(page)

    def console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            where = (f" (at {Path(loc['url']).name or loc['url']}:{loc.get('lineNumber')})"
                     if loc.get("url") else "")
            errors.append(f"console.error: {msg.text}{where}")

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(f"uncaught exception: {exc}"))
    try:
        if media:
            page.emulate_media(media=media)
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        yield page, errors, blocked
    finally:
        page.close()


# ------------------------------------------------------------------ the checks, as tests use them
def image_problems(page) -> list[str]:
    return B.image_findings(page)


def width_problem(page) -> str | None:
    o = B.overflow(page)
    if o["scrollWidth"] <= o["innerWidth"]:
        return None
    return (f"the page is {o['scrollWidth']} px wide in a {o['innerWidth']} px window, so it "
            f"scrolls sideways; what sticks out:{listed(o['culprits'])}")


def language_problems(page, run: Path | None) -> tuple[str, str, list[str]]:
    html_lang = page.evaluate("document.documentElement.getAttribute('lang')")
    lang, source = report_language(html_lang, manifest_language(run) if run else None)
    return lang, source, B.language_findings(B.language_texts(page), lang)


def pdf_pages(pdf: Path) -> tuple[int, list[tuple[int, float, float]]]:
    """``(pages, [(page, width, height)])`` in points, from ``pdfinfo``."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, f"pdfinfo {pdf}: {info.stderr.strip()}"
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)],
                           capture_output=True, text=True, timeout=120).stdout
    return pages, [(int(n), float(w), float(h)) for n, w, h in
                   re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", sizes, re.M)]


def not_a4(sizes: list[tuple[int, float, float]]) -> list[str]:
    return [f"page {n}: {w:g} x {h:g} pts" for n, w, h in sizes
            if abs(w - 595.28) > 1 or abs(h - 841.89) > 1]


def pdf_problems(pdf: Path, fonts: bool = False) -> list[str]:
    """What is wrong with ``pdf`` as an A4 deliverable: no pages, pages that are not A4
    (595.3 x 841.9 pts, portrait), and with ``fonts`` fonts that are not embedded."""
    pages, sizes = pdf_pages(pdf)
    if pages < 1:
        return ["it has no pages"]
    out = [f"{s}, not A4 (595.3 x 841.9 pts)" for s in not_a4(sizes)]
    if len(sizes) != pages:
        out.append(f"pdfinfo gave the size of {len(sizes)} of its {pages} pages")
    if fonts:
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                                 timeout=120)
        assert listing.returncode == 0, f"pdffonts {pdf}: {listing.stderr.strip()}"
        out += [f"font {f} is not embedded" for f in fonts_not_embedded(listing.stdout)]
    return out


def poppler(*tools: str) -> None:
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not found (Debian: apt-get install poppler-utils)")


def fonts_not_embedded(pdffonts_output: str) -> list[str]:
    """The fonts ``pdffonts`` lists with "no" in its emb column (columns found from the
    dashes under its header, since font types such as "CID TrueType" hold spaces)."""
    lines = pdffonts_output.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.startswith("---")), None)
    if rule is None:
        return []
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    header = lines[rule - 1]
    emb = next(k for k, (a, b) in enumerate(spans) if header[a:b].strip() == "emb")
    out = []
    for line in lines[rule + 1:]:
        if not line.strip():
            continue
        a, b = spans[emb]
        if line[a:b].strip() != "yes":
            out.append(f"{line[:spans[0][1]].strip()} ({line[spans[1][0]:spans[1][1]].strip()})")
    return out


def page_is_blank(pdf: Path, page: int, tmp: Path) -> bool:
    """Whether ``pdftoppm`` renders ``page`` as a plain white page."""
    stem = tmp / f"page{page}"
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "20", "-gray",
                    "-singlefile", str(pdf), str(stem)], check=True, timeout=120)
    data = stem.with_suffix(".pgm").read_bytes()
    # binary PGM: "P5\n<width> <height>\n255\n", then a byte a pixel (0 black, 255 white)
    pixels = re.match(rb"P5\s+\d+\s+\d+\s+\d+\s(.*)", data, re.S).group(1)
    return min(pixels) > 250


# ------------------------------------------------------------------ the checks on synthetic pages
PNG_1PX = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42m"
           "P8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _page(tmp_path: Path, body: str, head: str = "", lang: str | None = None,
          name: str = "page.html") -> Path:
    attr = f' lang="{lang}"' if lang else ""
    path = tmp_path / name
    path.write_text(f"<!doctype html><html{attr}><head><meta charset='utf-8'>{head}</head>"
                    f"<body>{body}</body></html>", encoding="utf-8")
    return path


def test_check_names_images_that_did_not_load(browser, tmp_path):
    page_file = _page(tmp_path, f"""
        <h2>Good figure</h2><img alt="loads" src="{PNG_1PX}">
        <h2>Broken figures</h2><img alt="missing chart" src="nosuch.png">
        <img alt="" src="data:image/png;base64,bm90IGEgcG5n">
        <img alt="from the web" src="https://example.invalid/x.png">""")
    with opened(browser, page_file, B.DESKTOP) as (page, errors, blocked):
        found = image_problems(page)
    assert len(found) == 3, found
    assert "image 2 of 4" in found[0] and '"missing chart"' in found[0]
    assert "'Broken figures'" in found[0]
    assert "image 3 of 4" in found[1] and 'alt=""' in found[1]
    assert '"from the web"' in found[2]
    assert blocked == ["https://example.invalid/x.png"]


def test_check_finds_a_page_wider_than_the_window(browser, tmp_path):
    page_file = _page(tmp_path, """
        <h2>Scrolled table</h2><div style="overflow-x:auto"><table style="width:3000px">
        <tr><td>wide but in its own scroll box</td></tr></table></div>
        <h2>Too wide</h2><div><p style="width:2000px">a paragraph</p></div>""")
    for viewport in (B.DESKTOP, B.A4):
        with opened(browser, page_file, viewport) as (page, _, _):
            problem = width_problem(page)
        assert problem and f"in a {viewport['width']} px window" in problem, problem
        assert "p under heading 'Too wide'" in problem and "Scrolled" not in problem, problem
    fits = _page(tmp_path, """<div style="overflow-x:auto"><table style="width:3000px">
                              <tr><td>x</td></tr></table></div>""")
    with opened(browser, fits, B.A4) as (page, _, _):
        assert width_problem(page) is None


def test_check_catches_console_errors_and_exceptions(browser, tmp_path):
    page_file = _page(tmp_path, """<p>x</p>
        <script>console.error("planted error"); console.warn("only a warning");</script>
        <script>setTimeout(() => { throw new Error("planted late exception"); }, 50);</script>""")
    with opened(browser, page_file, B.DESKTOP) as (page, errors, _):
        pass
    assert any("console.error: planted error (at page.html:" in e for e in errors), errors
    assert any("uncaught exception" in e and "planted late exception" in e for e in errors)
    assert not any("only a warning" in e for e in errors)
    clean = _page(tmp_path, f"<img alt='ok' src='{PNG_1PX}'><script>console.log('hi')</script>")
    with opened(browser, clean, B.DESKTOP) as (page, errors, _):
        assert errors == []


def test_check_finds_tables_cut_off_in_print(browser, tmp_path):
    rows = "<tr>" + "".join(f"<th>column {k}</th>" for k in range(12)) + "</tr>"
    page_file = _page(tmp_path, f"""
        <h2>Fits</h2><table><tr><th>a</th><th>b</th></tr></table>
        <h2>Past the margin</h2><table style="width:1200px">{rows}</table>
        <h3>Cut by its box</h3><div style="overflow-x:hidden; width:400px">
          <table style="width:600px"><tr><th>item</th></tr></table></div>
        <h2>Screen only</h2><div class="noprint"><table style="width:2000px">{rows}</table></div>
        """, head="<style>body{margin:0 10px}@media print{.noprint{display:none}}</style>")
    with opened(browser, page_file, B.A4, media="print") as (page, _, _):
        found = B.print_table_findings(page)
    assert len(found) == 2, found
    assert found[0].startswith("table 2 of 4 under heading 'Past the margin' "
                               "(columns column 0 | column 1")
    assert "right edge (1210 px) is past the page content (body content box ends at 784 px)" \
        in found[0]
    assert "under heading 'Cut by its box'" in found[1]
    assert "600 px wide in a 400 px div with overflow-x: hidden" in found[1]


def test_language_rules_on_texts():
    texts = [{"element": "heading h2", "text": "Reliability 信度"},
             {"element": "th", "text": "ＫＭＯ"},                 # full-width letters count
             {"element": "p", "text": "Plain English only, nothing else."}]
    en = B.language_findings(texts, "en")
    assert en == ["heading h2: 'Reliability 信度'", "th: 'ＫＭＯ'"]
    zh_ok = ["KMO 和 Bartlett 检验", "拟合指数 CFI TLI RMSEA SRMR", "参见 Fornell et al 的方法",
             "Hair and Sarstedt et al 建议", "ACSI model 的路径", "one two\nthree", "Q07 Q08 Q09 Q10 题", "ABC 分类 VIP 客户", "PLS-SEM 与 CFA",
             "Kaiser-Meyer-Olkin 取样适切性量数（KMO）", "按 Fornell-Larcker 准则",
             "KMO Kaiser-Meyer-Olkin CFA 检验"]
    assert B.language_findings([{"element": "p", "text": t} for t in zh_ok], "zh") == []
    zh_bad = [{"element": "div.jp-MarkdownCell under heading 'x'",
               "text": "本节 This notebook reads everything 从参数"},
              {"element": "th", "text": "customer satisfaction index"},
              {"element": "p", "text": "路径 PLS SEM model 系数"},
              {"element": "p", "text": "the client's params, not code"},
              {"element": "p", "text": "由 Kaiser-Meyer-Olkin test the sample 给出"}]
    zh = B.language_findings(zh_bad, "zh")
    assert zh == ["div.jp-MarkdownCell under heading 'x': '本节 This notebook reads everything 从参数'",
                  "th: 'customer satisfaction index'", "p: '路径 PLS SEM model 系数'",
                  "p: \"the client's params, not code\"",
                  "p: '由 Kaiser-Meyer-Olkin test the sample 给出'"], zh
    long = B.language_findings([{"element": "p", "text": "中文 " + "word " * 40}], "zh")[0]
    assert len(long) < 120 and long.endswith("…'")


def test_language_texts_skip_code_client_data_and_hidden_text(browser, tmp_path):
    page_file = _page(tmp_path, """
        <h2>满意度 heading</h2>
        <div class="jp-MarkdownCell"><p>Narrative with 中文 inside.</p>
          <p>Code <code>变量</code> and</p><pre>代码块</pre>
          <p>client <span class="csi-data">张三</span> data</p>
          <p style="display:none">隐藏</p>
          <table><tr><th>指标 column</th></tr><tr><td>单元格</td></tr></table></div>
        <div class="jp-OutputArea"><p>输出 not checked</p>
          <table><caption>表格标题</caption><tr><th class="csi-data">客户名</th>
          <th>答案 label</th></tr></table></div>
        <div class="csi-cover">封面</div><div class="csi-summary"><p>One two three</p>
          <p>four five six</p></div>
        <figure><img alt="" src="%s"><figcaption>图 1</figcaption></figure>""" % PNG_1PX)
    with opened(browser, page_file, B.DESKTOP) as (page, _, _):
        lang, source, found = language_problems(page, None)
        texts = {t["element"].split(" under ")[0]: t["text"] for t in B.language_texts(page)}
    assert (lang, source) == ("en", "the default (no <html lang>, no client.language in "
                                    "manifest.json)")
    snippets = [f.split(": ", 1)[1] for f in found]
    # 变量 (code), 代码块 (pre), 张三 / 客户名 (.csi-data), 隐藏 (hidden), 输出 (not a checked
    # element) are left out; the td inside the markdown cell is the cell's text
    assert snippets == ["'满意度 heading'", "'Narrative with 中文 inside. / Code a…'",
                        "'…nd / client data / 单元格'", "'指标 column'", "'表格标题'",
                        "'答案 label'", "'封面'", "'图 1'"], found
    assert texts["div.jp-MarkdownCell"].splitlines() == [
        "Narrative with 中文 inside.", "Code and", "client data", "单元格"]
    assert texts["div.csi-summary"] == "One two three\nfour five six"     # never one run
    assert found[0].startswith("heading h2: ")
    assert found[1].startswith("div.jp-MarkdownCell under heading '满意度 heading': ")


def test_language_check_on_a_chinese_page(browser, tmp_path):
    page_file = _page(tmp_path, """
        <h2>信度与效度 (CFA)</h2>
        <div class="jp-MarkdownCell"><p>本节按 Fornell et al 的方法计算 AVE 与 HTMT。</p>
          <p>This paragraph was left in English.</p>
          <p>保存为 <code>wb.save_table(x, "with three words")</code>。</p></div>
        <table><tr><th>拟合指数 CFI TLI RMSEA</th><th class="csi-data">Zhang Wei Trading Ltd</th>
          <th>Customer satisfaction index</th></tr></table>""", lang="zh-CN")
    with opened(browser, page_file, B.DESKTOP) as (page, _, _):
        lang, source, found = language_problems(page, None)
    assert (lang, source) == ("zh", '<html lang="zh-CN">')
    assert found == [
        "div.jp-MarkdownCell under heading '信度与效度 (CFA)': "
        "'…计算 AVE 与 HTMT。 / This paragraph was left in English. / 保存为 。'",
        "th under heading '信度与效度 (CFA)': 'Customer satisfaction index'"], found


def test_report_language_comes_from_html_then_manifest():
    assert report_language("zh-CN", None) == ("zh", '<html lang="zh-CN">')
    assert report_language("zh-CN", "zh")[0] == "zh"
    assert report_language("en", "zh") == (
        "zh", 'manifest.json params.client.language (zh); report.html declares '
              '<html lang="en">, which disagrees')
    assert report_language(None, "zh") == (
        "zh", "manifest.json params.client.language (zh; no <html lang>)")
    assert report_language("", None)[0] == "en"


def test_pdffonts_parsing():
    def row(*cols):          # pdffonts' own layout: "%-36s %-17s %-16s %-3s %-3s %-3s"
        return "%-36s %-17s %-16s %-3s %-3s %-3s %9s" % cols

    head = row("name", "type", "encoding", "emb", "sub", "uni", "object ID")
    rule = " ".join("-" * n for n in (36, 17, 16, 3, 3, 3, 9))
    cjk = row("ABCDEF+NotoSansCJKsc-Regular", "CID Type 0C", "Identity-H", "yes", "yes", "yes",
              "9  0")
    helvetica = row("Helvetica", "Type 1", "WinAnsi", "no", "no", "no", "12  0")
    assert fonts_not_embedded("\n".join([head, rule, cjk, helvetica])) == ["Helvetica (Type 1)"]
    assert fonts_not_embedded("\n".join([head, rule, cjk])) == []
    assert fonts_not_embedded("\n".join([head, rule])) == []                 # no fonts at all


def _pdf_with_helvetica(path: Path, width: float, height: float) -> Path:
    """A one-page PDF whose text uses Helvetica without embedding it (written by hand)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents 4 0 R "
               f"/Resources << /Font << /F1 5 0 R >> >> >>".encode(),
               None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    stream = b"BT /F1 24 Tf 72 720 Td (Not embedded) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out, offsets = b"%PDF-1.4\n", []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (k, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def test_pdf_checks_on_synthetic_pdfs(browser, tmp_path):
    poppler("pdfinfo", "pdffonts", "pdftoppm")
    page_file = _page(tmp_path, "<h1>满意度 report</h1><p>Some text.</p>")
    empty = _page(tmp_path, "", name="empty.html")
    with opened(browser, page_file, B.A4, media="print") as (page, _, _):
        page.pdf(path=str(tmp_path / "a4.pdf"), format="A4")
        page.pdf(path=str(tmp_path / "letter.pdf"), format="Letter")
    with opened(browser, empty, B.A4, media="print") as (page, _, _):
        page.pdf(path=str(tmp_path / "empty.pdf"), format="A4")
    assert pdf_problems(tmp_path / "a4.pdf", fonts=True) == []       # Chromium embeds fonts
    assert not page_is_blank(tmp_path / "a4.pdf", 1, tmp_path)
    assert page_is_blank(tmp_path / "empty.pdf", 1, tmp_path)
    assert pdf_problems(tmp_path / "letter.pdf") == [
        "page 1: 612 x 792 pts, not A4 (595.3 x 841.9 pts)"]
    a4_helvetica = _pdf_with_helvetica(tmp_path / "helvetica.pdf", 595.28, 841.89)
    assert pdf_problems(a4_helvetica) == []
    assert pdf_problems(a4_helvetica, fonts=True) == ["font Helvetica (Type 1) is not embedded"]


# ------------------------------------------------------------------ the demo reports
@pytest.mark.parametrize("report", REPORTS)
def test_every_image_loads(browser, demo_runs, report):
    run = run_dir(demo_runs, report)
    with opened(browser, run / "report.html", B.DESKTOP) as (page, _, _):
        found = image_problems(page)
    assert not found, (f"{report}: {len(found)} image(s) of {run / 'report.html'} did not "
                       f"load:{listed(found)}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("report", REPORTS)
def test_page_is_no_wider_than_the_window(browser, demo_runs, report, viewport):
    run = run_dir(demo_runs, report)
    with opened(browser, run / "report.html", viewport) as (page, _, _):
        problem = width_problem(page)
    assert problem is None, f"{report} at {viewport['width']}x{viewport['height']}: {problem}"


@pytest.mark.parametrize("report", REPORTS)
def test_no_console_errors(browser, demo_runs, report):
    run = run_dir(demo_runs, report)
    with opened(browser, run / "report.html", B.DESKTOP) as (page, errors, blocked):
        pass
    web = f"\n  requests to the network (a report must be self-contained):{listed(blocked)}" \
        if blocked else ""
    assert not errors and not blocked, (f"{report}: {len(errors)} console error(s) or uncaught "
                                        f"exception(s) opening the report:{listed(errors)}{web}")


@pytest.mark.parametrize("report", REPORTS)
def test_no_table_is_cut_off_in_print(browser, demo_runs, report):
    run = run_dir(demo_runs, report)
    with opened(browser, run / "report.html", B.A4, media="print") as (page, _, _):
        found = B.print_table_findings(page)
    assert not found, (f"{report}: {len(found)} table(s) cut off when printed on A4 "
                       f"(print media, 794 px wide):{listed(found)}")


@pytest.mark.parametrize("report", REPORTS)
def test_text_is_in_the_report_language(browser, demo_runs, report):
    run = run_dir(demo_runs, report)
    with opened(browser, run / "report.html", B.DESKTOP) as (page, _, _):
        lang, source, found = language_problems(page, run)
    other = "Chinese (CJK) characters" if lang != "zh" else "runs of 3+ English words"
    assert not found, (f"{report}: the report's language is {lang} (from {source}), but its "
                       f"headings, narrative, table headers and captions hold {len(found)} "
                       f"snippet(s) of {other}:{listed(found)}")


@pytest.mark.parametrize("report", REPORTS)
def test_declared_language_is_the_clients(browser, demo_runs, report):
    run = run_dir(demo_runs, report)
    with opened(browser, run / "report.html", B.DESKTOP) as (page, _, _):
        declared = page.evaluate("document.documentElement.getAttribute('lang')")
    client = manifest_language(run)
    if not declared or not client:
        pytest.skip(f"nothing to compare: <html lang={declared!r}>, client.language={client!r}")
    assert report_language(declared, None)[0] == client, (
        f'{report}: report.html declares <html lang="{declared}"> but the run\'s '
        f"client.language is {client!r}")


@pytest.mark.parametrize("report", REPORTS)
def test_chromium_prints_it_to_a4_pages(browser, demo_runs, report, tmp_path):
    run = run_dir(demo_runs, report)
    poppler("pdfinfo", "pdftoppm")
    pdf = tmp_path / f"{report}.pdf"
    with opened(browser, run / "report.html", B.A4, media="print") as (page, _, _):
        page.pdf(path=str(pdf), format="A4", print_background=True)
    problems = pdf_problems(pdf)
    assert not problems, f"{report}: the report printed by Chromium (A4):{listed(problems)}"
    pages = pdf_pages(pdf)[0]
    blank = [n for n in sorted({1, pages}) if page_is_blank(pdf, n, tmp_path)]
    assert not blank, f"{report}: page(s) {blank} of the {pages}-page printed PDF are blank"


@pytest.mark.parametrize("report", REPORTS)
def test_report_pdf_is_a4_with_embedded_fonts(demo_runs, report):
    run = run_dir(demo_runs, report)
    pdf = run / "report.pdf"
    assert pdf.exists(), f"{report}: the run folder has no report.pdf (report.pdf is on by default)"
    poppler("pdfinfo", "pdffonts")
    problems = pdf_problems(pdf, fonts=True)
    assert not problems, (f"{report}: {pdf} is not an A4 deliverable with its fonts embedded "
                          f"(a font not embedded prints differently elsewhere):"
                          f"{listed(problems)}")


@pytest.mark.parametrize("report", REPORTS)
def test_report_pdf_has_running_header_and_page_numbers(demo_runs, report):
    run = run_dir(demo_runs, report)
    poppler("pdftotext")
    pages = subprocess.run(["pdftotext", "-layout", str(run / "report.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    n = len(pages)
    assert n > 10
    for i in (1, n // 2, n - 1):                   # the cover (page 1) has neither
        assert "Acme Home Appliances (demo)" in pages[i] and "2026-Q4" in pages[i], i + 1
        assert re.search(rf"\b{i + 1} / {n}\b", pages[i]), f"page {i + 1}: no 'page / pages'"


#: what a reader must never see: reprs, tracebacks, file and module names of the machine room
MACHINE_ROOM = ["Workbook(", "<Figure size", "Traceback (most recent", "object at 0x",
                "tables/", "artifacts/", "METHOD.md", "csi_helpers", "NBVAL", "dtype:",
                "No planted truth", "run.log"]


@pytest.mark.parametrize("report", REPORTS)
def test_nothing_from_the_machine_room(demo_runs, report):
    run = run_dir(demo_runs, report)
    html = (run / "report.html").read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)\b.*?</\1>", "", html[html.index("<body"):], flags=re.S)
    text = re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", body))
    found = [m for m in MACHINE_ROOM if m in text]
    assert not found, f"{report}: the report shows {found}"


@pytest.mark.parametrize("report", REPORTS)
def test_every_figure_is_in_the_report_with_alt_text(demo_runs, report):
    run = run_dir(demo_runs, report)
    html = (run / "report.html").read_text(encoding="utf-8")
    shown = dict(re.findall(r'<figure class="csi-figure" data-figure="([^"]+)"><img [^>]*?'
                            r'alt="([^"]*)"', html))
    saved = {p.stem for p in (run / "figures").glob("*.png")}
    assert saved and saved <= set(shown), f"{report}: figures not in the report: {saved - set(shown)}"
    fallback = {name: alt for name, alt in shown.items()
                if len(alt) < 8 or alt == name.partition("_")[2].replace("_", " ")}
    assert not fallback, f"{report}: figures without a title for their alt text: {fallback}"


@pytest.mark.parametrize("report", REPORTS)
def test_the_answer_is_on_the_first_pages(demo_runs, report):
    """What is the CSI, is it trustworthy, what do we do: in the summary, before chapter 1."""
    run = run_dir(demo_runs, report)
    html = (run / "report.html").read_text(encoding="utf-8")
    first = html[:html.index('class="csi-toc"')]
    csi = pd.read_csv(run / "tables" / "04_csi.csv")["index"].iloc[0]
    assert f"{csi:.1f}" in first
    words = ({"en": ("95% confidence interval", "Improve first", "Can the numbers be trusted",
                     "Customer tiers", "Against competitors"),
              "zh": ("95% 置信区间", "优先改进", "结果是否可信", "客户分层", "与竞争对手比较")}
             [manifest_language(run) or "en"])
    assert all(w in first for w in words), [w for w in words if w not in first]
