"""Text files as clients send them: paths in messages, bytes, encodings.

Chinese survey tools (问卷星, 腾讯问卷) export GBK; Excel's "CSV UTF-8" writes UTF-8 with a
byte-order mark; older systems write GB18030. ``encoding: auto`` tries UTF-8 (with or
without BOM), then GBK, then GB18030, which covers every export seen so far. A file that
decodes in none of them, or not in the encoding the params name, raises
:class:`~csi_helpers.errors.CSIInputError` naming the file, the line and the encoding that
would work.

Example
-------
>>> detect_encoding("满意".encode("gbk"))
'gbk'
>>> decode("满意".encode("gbk"), "auto", "survey.csv")
'满意'
"""
from __future__ import annotations

from pathlib import Path

from ..errors import CSIInputError

__all__ = ["ENCODINGS", "show_path", "read_bytes", "detect_encoding", "decode", "decode_as"]

#: Encodings ``sources.*.encoding`` accepts; ``auto`` tries the others in this order.
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030")
_AUTO_ORDER = ("utf-8-sig", "gbk", "gb18030")


def show_path(path: str | Path) -> str:
    """The path as messages show it: relative to the project root (the folder holding
    ``params/``) when the file lies inside one, else relative to the working folder, else
    absolute."""
    p = Path(path)
    try:
        p = p.resolve()
    except OSError:  # pragma: no cover - unresolvable paths are shown as given
        return str(path)
    for parent in p.parents:
        if (parent / "params").is_dir():
            return p.relative_to(parent).as_posix()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; a missing file, a folder or an unreadable file is a clear error."""
    p = Path(path)
    if not p.exists():
        raise CSIInputError(f"{show_path(p)}: file not found; put the file there or fix the "
                            "path in the params file (sources)")
    if p.is_dir():
        raise CSIInputError(f"{show_path(p)}: is a folder, not a file; point the params at the "
                            "file inside it")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise CSIInputError(f"{show_path(p)}: cannot be read ({exc.strerror}); check the file's "
                            "permissions") from None


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _try_decode(data: bytes, encoding: str) -> tuple[str | None, int | None]:
    """(text, None) when `data` decodes, else (None, line of the first bad byte)."""
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        return None, _line_of(data, exc.start)


def detect_encoding(data: bytes) -> str | None:
    """The first of UTF-8 (with or without BOM), GBK, GB18030 that decodes `data`, else None."""
    for enc in _AUTO_ORDER:
        if _try_decode(data, enc)[0] is not None:
            return "utf-8-sig" if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") \
                else enc
    return None


def decode(data: bytes, encoding: str, where: str, setting: str | None = None) -> str:
    """Decode a file's bytes (see :func:`decode_as`); the text only."""
    return decode_as(data, encoding, where, setting)[0]


def decode_as(data: bytes, encoding: str, where: str, setting: str | None = None
              ) -> tuple[str, str]:
    """Decode a file's bytes; a decode error names the file, the line and a working encoding.

    `where` is the file as shown in messages; `setting` the params key that sets the
    encoding (e.g. ``sources.survey.encoding``), named in the fix when given.
    """
    if encoding not in ENCODINGS:
        raise CSIInputError(f"{where}: encoding {encoding!r} is not supported; use one of "
                            f"{' | '.join(ENCODINGS)}" + (f" ({setting})" if setting else ""))
    if encoding == "auto":
        lines = []
        for enc in _AUTO_ORDER:
            text, line = _try_decode(data, enc)
            if text is not None:
                used = ("utf-8" if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf")
                        else enc)
                return text.removeprefix("\ufeff"), used
            lines.append(f"{'utf-8' if enc == 'utf-8-sig' else enc} (line {line})")
        raise CSIInputError(
            f"{where}: cannot be decoded as {', '.join(lines)}; save it as UTF-8 (in Excel: "
            "'CSV UTF-8') or, if you know its encoding, convert it to one of utf-8 | gbk | "
            "gb18030")
    text, line = _try_decode(data, encoding)
    if text is not None:
        return text.removeprefix("\ufeff"), encoding
    works = detect_encoding(data)
    fix = (f"the file decodes as {works}: set {setting or 'the encoding'} to {works} or auto"
           if works else "save it as UTF-8 (in Excel: 'CSV UTF-8')")
    raise CSIInputError(f"{where}: line {line} is not valid {encoding}; {fix}")
