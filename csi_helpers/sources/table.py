"""Tables as files: CSV / TXT in any of the usual encodings and delimiters, and Excel.

The first step of every reader (survey or CRM): the file becomes a *grid*, a DataFrame of
text cells (``str``, or NaN for an empty cell) with positional columns, before any header
is chosen, because platforms put their headers in different places (Qualtrics has three
header rows). :func:`read_grid` picks the file kind from the file's first bytes (an
``.xlsx`` renamed ``.csv`` is still read as Excel), then

* **CSV / TXT**: decoded with :func:`~csi_helpers.sources.text.decode` (``auto``: UTF-8 with
  or without BOM, GBK, GB18030); the delimiter (``,`` ``;`` tab ``|``) is the one the header
  line uses most, outside quotes; read by pandas' C parser with every cell as text, so ids
  like ``007`` keep their zeros.
* **Excel** ``.xlsx`` / ``.xlsm`` / ``.xls``: read with python-calamine (Rust; several times
  faster than openpyxl, which we keep for writing only); ``sheet`` is a name or a 0-based
  index (default: the first sheet). Cells come as Excel stores them and are written as
  text the way a person reads them: whole numbers without ``.0``, dates as ISO
  ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when there is a time), booleans ``True`` / ``False``.

Text is stripped of surrounding blanks; a cell holding only blanks is empty. Empty rows
inside the data are kept (row k of the grid is line k + 1 of a CSV without quoted line
breaks, and row k + 1 of a sheet), so messages name the lines a person sees; empty rows at
the end are dropped.

Example
-------
>>> g = read_grid("data/acme/crm.xlsx", sheet="订单明细")         # doctest: +SKIP
>>> g.kind, g.sheet, g.frame.shape                                 # doctest: +SKIP
('xlsx', '订单明细', (3001, 5))
>>> table = with_header(g, "data/acme/crm.xlsx")                   # doctest: +SKIP
"""
from __future__ import annotations

import csv
import datetime as _dt
import io as _stdio
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .text import decode_as, detect_encoding, read_bytes, show_path

__all__ = ["Grid", "file_kind", "read_grid", "with_header", "sniff_delimiter", "DELIMITERS"]

DELIMITERS = (",", ";", "\t", "|")
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The name given to an unnamed first column of unique values (R's row names).
ROW_NAMES = "row_names"
#: Longest CSV field read (characters); longer fields are refused with the line named.
MAX_FIELD = 1_000_000


@dataclass(frozen=True)
class Grid:
    """A file as a grid of text cells, before a header is chosen.

    Attributes
    ----------
    frame : DataFrame with columns 0..k-1, cells ``str`` or NaN; row 0 is the file's first row.
    kind : ``csv`` | ``xlsx`` | ``xls``.
    encoding : the encoding that decoded a CSV (None for Excel).
    delimiter : the CSV delimiter (None for Excel).
    sheet : the Excel sheet read (None for CSV); ``sheets`` all sheet names of the workbook.
    """

    frame: pd.DataFrame
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    def describe(self) -> str:
        """How the file was read, for ``csi validate`` (e.g. ``CSV, gbk, ';'``)."""
        if self.kind == "csv":
            shown = {"\t": "tab"}.get(self.delimiter, repr(self.delimiter))
            return f"CSV, {self.encoding}, delimiter {shown}"
        return f"Excel .{self.kind}, sheet {self.sheet!r}"


def file_kind(path: str | Path, head: bytes | None = None) -> str:
    """``xlsx`` | ``xls`` | ``sav`` | ``zsav`` | ``dta`` | ``csv`` from the file's first bytes
    (the extension decides only between look-alikes, e.g. ``.xlsm`` is ``xlsx``).

    Example
    -------
    >>> file_kind("export.csv", b"\\xef\\xbb\\xbfid,q1")
    'csv'
    """
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(512)
    ext = Path(path).suffix.lower()
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(b"$FL2"):
        return "sav"
    if head.startswith(b"$FL3"):
        return "zsav"
    if head.startswith(b"<stata_dta>") or (ext == ".dta" and head[:1] in (b"\x71", b"\x72",
                                                                        b"\x73")):
        return "dta"
    return "csv"


def sniff_delimiter(text: str) -> str:
    """The delimiter the first line uses most, outside quotes (``,`` when it uses none).

    Example
    -------
    >>> sniff_delimiter('id;"a,b";c\\n1;2;3')
    ';'
    """
    first = []
    quoted = False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            break
        elif not quoted:
            first.append(ch)
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _strip_cells(values) -> list:
    """Text cells stripped of surrounding blanks; blank cells become NaN."""
    out = []
    append = out.append
    for x in values:
        if x.__class__ is str:
            x = x.strip()
            append(x if x else np.nan)
        else:
            append(np.nan)
    return out


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: _strip_cells(frame[c].to_numpy()) for c in frame.columns},
                        index=frame.index, dtype=object)


def _needs_strip(text: str, delim: str, data: bytes | None = None) -> bool:
    """Whether any cell may have blanks around it: a blank next to a delimiter, a quote or
    a line end. Most exports have none, and the cell-by-cell strip is then skipped.

    ASCII blanks are looked for in the file's bytes with numpy (a space or tab byte is
    never part of a GBK / UTF-8 multi-byte character; a false alarm only costs the strip);
    the ideographic space (U+3000) in the text.
    """
    if text[:1] in (" ", "\t", "\u3000") or text.rstrip("\r\n")[-1:] in (" ", "\t", "\u3000"):
        return True
    if "\u3000" in text:
        for edge in (delim, '"', "\n", "\r"):
            if "\u3000" + edge in text or edge + "\u3000" in text:
                return True
    if data is None:
        data = text.encode("utf-8")
    b = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero((b == 0x20) | (b == 0x09))     # blanks are few: look only there
    if at.size == 0:
        return False
    edge = np.zeros(256, dtype=bool)
    edge[list((delim + '"\n\r').encode("ascii", "ignore"))] = True
    before, after = at[at > 0] - 1, at[at < len(b) - 1] + 1
    return bool(edge[b[before]].any() or edge[b[after]].any())


def _drop_trailing_blank(frame: pd.DataFrame) -> pd.DataFrame:
    """The grid without the empty rows at its end (Excel and editors leave them). Empty rows
    inside the data stay, as empty rows: dropping them would shift every later line number
    in the messages, and a reader must see (and count) what it leaves out."""
    filled = frame.notna().any(axis=1).to_numpy()
    last = int(filled.nonzero()[0][-1]) + 1 if filled.any() else 0
    return frame.iloc[:last].reset_index(drop=True)


def _longest_line(data: bytes) -> tuple[int, int]:
    """(length in bytes, 1-based number) of the file's longest line."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    lengths = np.diff(bounds) - 1
    k = int(lengths.argmax())
    return int(lengths[k]), k + 1


#: From this size on a CSV is parsed by Arrow's multi-threaded reader into Arrow strings
#: (pandas' object cells cost ~60 bytes each: a 10-million-row CRM export would need
#: gigabytes). The grid is the same: every cell text, blank cells missing, blank lines kept.
ARROW_BYTES = 16 * 2**20


_CHUNK = 16 * 2**20


def _scan_big_csv(path: Path, encoding: str, where: str, setting: str | None
                  ) -> tuple[str, str, bool, str]:
    """What :func:`_read_csv_grid` learns from the decoded text, learnt chunk by chunk so a
    large file is never held in memory twice: (encoding, delimiter, whether cells need
    stripping, the first line). A decode error names the line, as for small files; a line
    over MAX_FIELD characters (an unclosed quote) is refused."""
    import codecs

    from .text import ENCODINGS, _AUTO_ORDER

    if encoding not in ENCODINGS:
        raise CSIInputError(f"{where}: encoding {encoding!r} is not supported; use one of "
                            f"{' | '.join(ENCODINGS)}" + (f" ({setting})" if setting else ""))
    tried = []
    for enc in (_AUTO_ORDER if encoding == "auto" else (encoding,)):
        decoder = codecs.getincrementaldecoder(enc)()
        lines, head, strip, longest, since = 0, "", False, (0, 0), 0
        delim = None
        with open(path, "rb") as f:
            while True:
                chunk = f.read(_CHUNK)
                try:
                    part = decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    tried.append((enc, lines + chunk.count(b"\n", 0, exc.start) + 1))
                    break
                if delim is None and part:
                    head = part[:1_000_000].lstrip("\ufeff")
                    delim = sniff_delimiter(head)
                if part and not strip:
                    strip = _needs_strip(part, delim or ",", chunk)
                b = np.frombuffer(chunk, dtype=np.uint8)
                ends = np.flatnonzero(b == 10)
                gaps = np.diff(np.concatenate(([-1 - since], ends)))
                if len(gaps) and gaps.max() - 1 > longest[0]:
                    k = int(gaps.argmax())
                    longest = (int(gaps[k]) - 1, lines + k + 1)
                since = len(b) - 1 - ends[-1] if len(ends) else since + len(b)
                if since > MAX_FIELD:
                    longest = (since, lines + len(ends) + 1)
                lines += len(ends)
                if not chunk:
                    break
        if len(tried) and tried[-1][0] == enc:
            continue
        if longest[0] > MAX_FIELD:
            raise CSIInputError(f"{where}: line {longest[1]} holds over {MAX_FIELD:,} characters; "
                                "a quote is probably not closed there: fix the quoting or "
                                "remove the field")
        used = "utf-8" if enc == "utf-8-sig" else enc
        return used, delim or ",", strip, head.split("\n", 1)[0]
    if encoding != "auto":
        fix = ("save it as UTF-8 (in Excel: 'CSV UTF-8') or set "
               f"{setting or 'the encoding'} to auto")
        raise CSIInputError(f"{where}: line {tried[0][1]} is not valid {encoding}; {fix}")
    shown = ", ".join(f"{'utf-8' if e == 'utf-8-sig' else e} (line {n})" for e, n in tried)
    raise CSIInputError(f"{where}: cannot be decoded as {shown}; save it as UTF-8 (in Excel: "
                        "'CSV UTF-8') or, if you know its encoding, convert it to one of "
                        "utf-8 | gbk | gb18030")


def _read_big_csv_grid(path: Path, where: str, encoding: str, setting: str | None) -> Grid:
    enc, delim, strip, first = _scan_big_csv(path, encoding, where, setting)
    frame = _read_csv_arrow(path, where, enc, delim, first)
    if strip:
        frame = _strip(frame)
    return Grid(_drop_trailing_blank(frame), "csv", enc, delim)


def _read_csv_arrow(path: Path, where: str, enc: str, delim: str, first: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    ncols = len(next(csv.reader([first], delimiter=delim)))
    names = [f"f{i}" for i in range(ncols)]
    arrow_enc = "utf8" if enc in ("utf-8", "utf-8-sig") else enc
    try:
        table = pcsv.read_csv(
            str(path),
            read_options=pcsv.ReadOptions(column_names=names, encoding=arrow_enc,
                                          block_size=16 * 2**20),
            parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                            ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                null_values=[""], strings_can_be_null=True,
                                                quoted_strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise CSIInputError(f"{where}: not a readable table ({exc}); check that every line "
                            f"has the same number of {delim!r}-separated fields and that "
                            "quotes are balanced") from None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    if len(frame) and isinstance(frame.iat[0, 0], str) and frame.iat[0, 0].startswith("\ufeff"):
        frame.iat[0, 0] = frame.iat[0, 0].lstrip("\ufeff")      # copies the column: rare
    frame.columns = range(frame.shape[1])
    return frame


def _read_csv_grid(data: bytes, where: str, encoding: str, setting: str | None) -> Grid:
    # Decoding once up front names the bad line of a wrongly encoded file; pandas then
    # parses the bytes itself (3x faster than parsing the decoded text).
    text, enc = decode_as(data, encoding, where, setting)
    if not text.strip():
        return Grid(pd.DataFrame(), "csv", enc, ",")
    delim = sniff_delimiter(text)
    longest, line = _longest_line(data) if len(data) > MAX_FIELD else (0, 0)
    if longest > MAX_FIELD:
        raise CSIInputError(f"{where}: line {line} holds over {MAX_FIELD:,} characters; a "
                            "quote is probably not closed there: fix the quoting or remove "
                            "the field")
    pd_enc = "utf-8-sig" if enc in ("utf-8", "utf-8-sig") else enc
    try:
        # blank lines are kept as empty rows, so row k is line k + 1 and every message names
        # the right line; only trailing blank lines go (see _drop_trailing_blank)
        frame = pd.read_csv(_stdio.BytesIO(data), sep=delim, header=None, dtype=object,
                            keep_default_na=False, na_values=[""], skip_blank_lines=False,
                            encoding=pd_enc, engine="c")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CSIInputError(f"{where}: not a readable table ({exc}); check that every line "
                            f"has the same number of {delim!r}-separated fields and that "
                            "quotes are balanced") from None
    frame.columns = range(frame.shape[1])
    if _needs_strip(text, delim, data):
        frame = _strip(frame)
    return Grid(_drop_trailing_blank(frame), "csv", enc, delim)


def _cell_text(x):
    """An Excel cell as a person reads it (see the module docstring)."""
    if x is None or (isinstance(x, str) and not x.strip()):
        return np.nan
    if isinstance(x, str):
        return x.strip()
    if isinstance(x, bool):
        return "True" if x else "False"
    if isinstance(x, float):
        if np.isnan(x):
            return np.nan
        return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, _dt.datetime):
        return x.strftime("%Y-%m-%d") if x.time() == _dt.time() else \
            x.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(x, _dt.date):
        return x.isoformat()
    if isinstance(x, _dt.time):
        return x.strftime("%H:%M:%S")
    if isinstance(x, _dt.timedelta):
        secs = x.total_seconds()
        return str(int(secs)) if float(secs).is_integer() else repr(secs)
    return str(x)


def choose_sheet(names, sheet, where: str, key: str = "sheet") -> str:
    """The sheet to read: ``sheet`` as a name or 0-based index, the first when None; a
    sheet that is not there is an error naming the sheets the workbook has."""
    names = tuple(names)
    if not names:
        raise CSIInputError(f"{where}: the workbook has no sheets; export it again")
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise CSIInputError(f"{where}: has {len(names)} sheet(s) ({', '.join(names)}); "
                                f"{key} = {sheet} is out of range: give a name or 0..{len(names) - 1}")
        return names[sheet]
    if str(sheet) in names:
        return str(sheet)
    raise CSIInputError(f"{where}: no sheet {sheet!r} (sheets: {', '.join(names)}); set "
                        f"{key} to one of them")


def _read_excel_grid(path: Path, where: str, kind: str, sheet, setting: str | None) -> Grid:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise CSIInputError(f"{where}: not a readable Excel workbook ({exc}); open it in "
                            "Excel and save it again as .xlsx") from None
    names = tuple(book.sheet_names)
    name = choose_sheet(names, sheet, where, f"{setting}.sheet" if setting else "sheet")
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
    width = max((len(r) for r in rows), default=0)
    cells = [[_cell_text(x) for x in r] + [np.nan] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(cells, columns=range(width), dtype=object)
    return Grid(_drop_trailing_blank(frame), kind, None, None, name, names)


def _head(path, n: int = 512) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def read_grid(path: str | Path, *, encoding: str = "auto", sheet=None,
              setting: str | None = None) -> Grid:
    """Read a CSV / TXT or Excel file into a :class:`Grid` of text cells.

    Parameters
    ----------
    path : the file (only read).
    encoding : for CSV: ``auto`` | ``utf-8`` | ``utf-8-sig`` | ``gbk`` | ``gb18030``.
    sheet : for Excel: a sheet name or 0-based index (default: the first sheet).
    setting : the params key of this source (e.g. ``sources.survey``), named in messages.
    """
    where = show_path(path)
    size = Path(path).stat().st_size if Path(path).is_file() else 0
    if size >= ARROW_BYTES and file_kind(path, _head(path)) == "csv":
        return _read_big_csv_grid(Path(path), where, encoding or "auto",
                                  f"{setting}.encoding" if setting else None)
    data = read_bytes(path)
    kind = file_kind(path, data[:512])
    if kind in ("xlsx", "xls"):
        return _read_excel_grid(Path(path), where, kind, sheet, setting)
    if kind in ("sav", "zsav", "dta"):
        raise CSIInputError(f"{where}: is an SPSS / Stata file, not a table; set "
                            f"{setting or 'the source'}.format to spss")
    return _read_csv_grid(data, where, encoding or "auto",
                          f"{setting}.encoding" if setting else None)


def with_header(grid: Grid, where: str, header_row: int = 0, skip: int = 0) -> pd.DataFrame:
    """The grid as a table: row `header_row` names the columns; data start `skip` rows later.

    Names are stripped; a repeated or empty name is an error naming its position (pandas
    would silently rename it ``Q01.1``), except an unnamed first column of unique values,
    R's row names (``write.csv``), which is called ``row_names``. Trailing columns with neither a name nor a value
    (Excel's formatted-but-empty columns) are dropped.
    """
    frame = grid.frame
    if frame.shape[0] <= header_row:
        raise CSIInputError(f"{where}: the file is empty; export it again with a header row")
    header = frame.iloc[header_row]
    body = frame.iloc[header_row + 1 + skip:]
    keep = [c for c in frame.columns if pd.notna(header[c]) or body[c].notna().any()]
    header, body = header[keep], body[keep]
    names = [str(h).strip() if pd.notna(h) else "" for h in header]
    if names and not names[0] and len(names) > 1 and body[keep[0]].notna().all() \
            and body[keep[0]].is_unique:
        # R's write.csv: an unnamed first column of row names ("", "1", "2" ...)
        names[0] = ROW_NAMES
    if any(not n for n in names):
        pos = names.index("") + 1
        raise CSIInputError(f"{where}: column {pos} of the header has no name; name it or "
                            "delete the empty column")
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise CSIInputError(f"{where}: column(s) {', '.join(map(repr, dups))} appear more than "
                            "once in the header; rename them so each column name is unique")
    out = body.copy()
    out.columns = names
    return out.reset_index(drop=True)


def file_fingerprint(path: str | Path) -> tuple[str, int | None]:
    """(SHA-256 of the file's bytes as hex, number of data rows) for the run manifest.

    Rows: CSV records after the header (quoted line breaks do not count) for text files
    in any encoding ``auto`` reads; rows after the first of the first sheet for Excel; cases
    for SPSS / Stata; None for other files (e.g. ``truth.json``) and undecodable text.
    Survey exports with several header rows (Qualtrics) count those rows too: the count is
    of the file, not of the responses (the notebooks say how many responses were read).

    Example
    -------
    >>> file_fingerprint("data/demo/customers.csv")      # doctest: +SKIP
    ('4d1e...', 5000)
    """
    import hashlib

    if Path(path).is_file() and Path(path).stat().st_size >= ARROW_BYTES:
        return _big_file_fingerprint(Path(path))
    data = read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    kind = file_kind(path, data[:512])
    if kind in ("xlsx", "xls", "sav", "zsav", "dta"):
        return _workbook_rows(Path(path), sha, kind)
    if Path(path).suffix.lower() not in (".csv", ".tsv", ".txt"):
        return sha, None
    enc = detect_encoding(data)
    if enc is None:
        return sha, None
    text = data.decode(enc).removeprefix("\ufeff")
    n = sum(1 for row in csv.reader(_stdio.StringIO(text), delimiter=sniff_delimiter(text))
            if row)
    return sha, max(n - 1, 0)


def _big_file_fingerprint(path: Path) -> tuple[str, int | None]:
    """:func:`file_fingerprint` of a large file, streamed: the SHA-256 in 16 MB chunks and
    the CSV records counted from a decoding stream, so a 600 MB export of ten million
    transactions costs no memory (reading it whole, decoded and copied, took 3 GB)."""
    import hashlib

    sha = hashlib.sha256()
    with path.open("rb") as fh:
        head = fh.read(512)
        sha.update(head)
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            sha.update(chunk)
    digest = sha.hexdigest()
    kind = file_kind(path, head)
    if kind in ("xlsx", "xls", "sav", "zsav", "dta"):
        return _workbook_rows(path, digest, kind)
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return digest, None
    from .text import _AUTO_ORDER

    for enc in _AUTO_ORDER:
        try:
            with path.open(encoding=enc, newline="") as fh:
                delimiter = sniff_delimiter(fh.read(1 << 16))
                fh.seek(0)
                n = sum(1 for row in csv.reader(fh, delimiter=delimiter) if row)
            return digest, max(n - 1, 0)
        except (UnicodeDecodeError, csv.Error):
            continue
    return digest, None


def _workbook_rows(path: Path, digest: str, kind: str) -> tuple[str, int | None]:
    """(checksum, rows) of an Excel workbook (rows after the first of the first sheet) or
    an SPSS / Stata file (cases), read by their own readers."""
    try:
        if kind in ("xlsx", "xls"):
            import python_calamine
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            sheet = book.get_sheet_by_name(book.sheet_names[0])
            return digest, max(sheet.height - 1, 0)
        if kind in ("sav", "zsav", "dta"):
            import pyreadstat
            reader = pyreadstat.read_dta if kind == "dta" else pyreadstat.read_sav
            _, meta = reader(str(path), metadataonly=True)
            return digest, int(meta.number_rows) if meta.number_rows is not None else None
    except Exception:  # noqa: BLE001 - an unreadable file still gets its checksum
        return digest, None
    return digest, None
