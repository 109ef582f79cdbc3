"""Readers for the input files of a load: CSV, XLSX, Pajek ``.net`` and "triples" edge lists.

Readers only turn bytes into rows; they do not judge values (that is :mod:`cultnet.etl.validate`).
Every row keeps where it came from: the physical line of a text file (the header of a CSV is
line 1; a quoted field spanning lines counts from its first line; lines end at ``\\n``,
``\\r\\n`` or ``\\r``, as editors count them, not at U+2028 or U+0085) or the sheet row of an
Excel sheet. Problems the reader itself finds (size, encoding, broken structure) are collected
per file and raised as one :class:`~cultnet.errors.ValidationError`.

Read once, hashed as read, in chunks
    A :class:`Source` opens a file once and reads it in chunks of :data:`CHUNK_BYTES`; every
    chunk is added to a SHA-256 as it is read and then parsed, so the digest
    (:attr:`Source.sha256`) describes exactly the bytes that were parsed, even when the file
    is replaced or rewritten while it is read. Text is decoded and split into lines chunk by
    chunk; tables come out as frames of at most :data:`CHUNK_ROWS` rows
    (:meth:`TableReader.chunks`), so that reading costs a few chunks of memory. Excel workbooks
    are zip archives and need random access: their bytes are read in one piece (the file size
    limit bounds them) and openpyxl parses that buffer.

Encodings (text files)
    UTF-8, UTF-8 with a byte-order mark (the BOM is accepted and dropped), UTF-16 *with* a BOM
    (Excel's "Unicode text"), and GBK / GB18030 for Chinese files (GB18030 is a superset of GBK
    and GB2312). The encoding used is named in the frame's ``attrs["encoding"]``. Refused, with
    the line: bytes that are neither UTF-8 nor Chinese GB18030 text, files mixing UTF-8 and GBK
    lines, a BOM (U+FEFF) in the middle of a file (files concatenated), NUL bytes (binary data,
    or UTF-16 without a BOM), and zip files (an Excel workbook renamed ``.csv``). A file that
    reads as UTF-8 up to a line that is not switches to GB18030 there: the lines before were
    ASCII (else the file mixes encodings), which both encodings read alike.

Size guard
    Files above ``CULTNET_MAX_FILE_MB`` (default 100) are refused from ``os.stat`` before a byte is
    read (and again if the file grows while it is read). Excel workbooks: the sum of the
    uncompressed sizes of their members is checked against twice the same limit, and the
    compression ratio of big members against :data:`MAX_ZIP_RATIO`, before openpyxl opens them
    (``zipfile`` never inflates a member past the size its header declares). A table may have
    at most :data:`MAX_COLUMNS` columns.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
import stat
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from cultnet.errors import LOAD_INPUT, InputContext, Problem, ValidationError
from cultnet.etl.cells import clean, numbers, number_hint, short
from cultnet.model import NO_YEAR

DEFAULT_MAX_FILE_MB = 100.0
MAX_ZIP_RATIO = 100.0  # refuse xlsx members inflating more than 100x ...
ZIP_RATIO_MIN_BYTES = 10 * 2**20  # ... when they inflate to more than 10 MB
#: Columns a table may have. Real tables have tens (a wide panel of 60 years of one indicator
#: is the widest we know of); a header of 10^6 cells is an attack or an accident.
MAX_COLUMNS = 1000
CHUNK_BYTES = 1 << 20  # bytes read (and hashed) at a time
CHUNK_ROWS = 10_000  # rows per frame handed to validation
FORMATS = ("csv", "xlsx", "pajek", "triples")
DELIMITERS = (",", ";", "\t")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PAJEK_SUFFIXES = (".net", ".paj")
TRIPLE_COMMENTS = ("#", "%")


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------

def read_table(path: str | os.PathLike, *, sheet: str | None = None,
               context: InputContext = LOAD_INPUT) -> pd.DataFrame:
    """Read a CSV or XLSX table with a header row, all of it.

    Returns a frame with one column per header cell (values are strings, or ``None`` for empty
    cells; Excel numbers come back as their ``str``) and an int ``line`` column (unless the file
    has a column called ``line``: the line numbers are always the index). ``attrs`` holds
    ``file``, ``sha256``, ``encoding`` (text files) and ``delimiter`` / ``sheet``. Loads use
    :class:`TableReader` instead, which hands the rows over in chunks. ``context`` says how a
    refusal is told (:func:`cultnet.errors.analysis_input` for a file an analysis reads).

    Raises
    ------
    ValidationError
        Too big, undecodable, empty, no header, duplicate or empty header cells, too many
        columns, rows with more or fewer fields than the header, several sheets and none
        chosen, merged cells, formula cells without a saved value.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("name;lat\\nDalian;38.9\\n", encoding="utf-8")
    >>> df = read_table(p)
    >>> df.to_dict("records"), df.attrs["delimiter"]
    ([{'name': 'Dalian', 'lat': '38.9', 'line': 2}], ';')
    """
    t, df = _read_all(lambda: TableReader(path, sheet=sheet), context)
    if "line" not in df.columns:
        df = df.reset_index()
        df = df[[c for c in df.columns if c != "line"] + ["line"]]
        df["line"] = df["line"].astype("int64")
    df.attrs = dict(t.attrs)
    return df


def _read_all(make_reader, context: InputContext):
    """``(reader, frame)``: every chunk of the reader ``make_reader()`` builds, in one frame; the
    reader's problems (all of them, or the one that stopped it) raised as one ValidationError
    told in ``context``."""
    try:
        reader = make_reader()
        frames = list(reader.chunks())
    except ValidationError as e:
        raise e.with_context(context) from None
    if reader.problems:
        raise ValidationError(reader.problems, context=context)
    return reader, pd.concat(frames) if len(frames) > 1 else frames[0]


def read_edge_file(path: str | os.PathLike, fmt: str | None = None, *, directed: bool | None = None,
                   sheet: str | None = None, context: InputContext = LOAD_INPUT) -> tuple[pd.DataFrame, bool]:
    """Read an edge list in any supported format, all of it.

    Formats (``fmt``; inferred from the extension and content when ``None``):

    ``pajek``   a Pajek ``.net`` file (:mod:`cultnet.etl.pajek`); directed when it has any arcs.
    ``csv``     a CSV/XLSX table with a header naming the source, target (and weight, year)
                columns (aliases accepted, see :data:`cultnet.etl.validate.ALIASES`); directed unless
                ``directed=False``.
    ``xlsx``    the same, from an Excel sheet.
    ``triples`` the paper's three-column "node, partner, frequency" list (CSV, XLSX or
                whitespace-separated text; header optional); undirected unless ``directed=True``.

    Returns ``(edges, directed)``: ``edges`` has columns ``source``, ``target`` (str), ``weight``
    (float; NaN where the cell is empty), ``year`` (int, 0 when absent) and ``line``; weights and
    years that are not numbers raise, all of them at once. Duplicates are *not* merged here;
    :func:`cultnet.etl.validate.sum_duplicate_edges` sums them (the paper's rule). ``context``
    says how a refusal is told (``cultnet network --edges F`` passes
    :func:`cultnet.errors.analysis_input`: "... in the analysis input; nothing was analysed").

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_text("a b 2\\nb c 1\\n")
    >>> e, d = read_edge_file(p)
    >>> e[["source", "target", "weight", "line"]].values.tolist(), d
    ([['a', 'b', 2.0, 1], ['b', 'c', 1.0, 2]], False)
    """
    r, df = _read_all(lambda: EdgeReader(path, fmt, directed=directed, sheet=sheet), context)
    df = df.drop(columns="weight_bad").reset_index()
    df = df[["source", "target", "weight", "year", "line"]]
    df["line"] = df["line"].astype("int64")
    df.attrs = dict(r.attrs)
    return df, bool(r.directed)


def infer_edge_format(path: Path, *, sheet: str | None = None) -> str:
    """``pajek`` for .net/.paj or text starting with ``*Vertices``; ``xlsx`` for Excel files whose
    header names source/target columns, else ``triples``; the same for text (``csv``/``triples``).
    (Reads the file; :class:`EdgeReader` infers from the bytes it parses.)
    """
    return EdgeReader(path, None, sheet=sheet).fmt


# ---------------------------------------------------------------------------------------------
# size
# ---------------------------------------------------------------------------------------------

def max_file_bytes() -> int:
    """The size limit in bytes: ``CULTNET_MAX_FILE_MB`` (default 100) MiB."""
    raw = os.environ.get("CULTNET_MAX_FILE_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int(mb * 2**20)


def _too_big(name: str, size: int, limit: int, *, grew: bool = False) -> ValidationError:
    when = "grew while it was read: it is now at least" if grew else "is"
    return ValidationError([Problem(
        name, None, None,
        f"file {when} {size / 2**20:.1f} MB, above the limit of {limit / 2**20:.0f} MB "
        "(set CULTNET_MAX_FILE_MB to raise it); nothing was read")])


def check_size(path: Path, limit: int | None = None) -> int:
    """Refuse a missing file, a directory or a file above ``limit`` bytes, from ``os.stat`` only."""
    name = Path(path).name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ValidationError([Problem(str(path), None, None, "file not found")]) from None
    except OSError as e:
        raise ValidationError([Problem(str(path), None, None, f"cannot read the file: {e.strerror}")]) from None
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError([Problem(str(path), None, None, "not a regular file")])
    limit = max_file_bytes() if limit is None else limit
    if st.st_size > limit:
        raise _too_big(name, st.st_size, limit)
    return st.st_size


class Source:
    """One input file, read once: size-checked, and hashed as it is read.

    ``chunks()`` yields the bytes in pieces of :data:`CHUNK_BYTES` (``read_all()`` in one
    piece), each added to the SHA-256 before it is handed on; :attr:`sha256` is the digest of
    every byte read, available once the file was read to its end. ``data`` reads from memory
    instead (tests, :func:`decode_bytes`).
    """

    def __init__(self, path: str | os.PathLike | None, *, data: bytes | None = None,
                 name: str | None = None):
        self.path = None if path is None else Path(path)
        self.name = name or (self.path.name if self.path is not None else "input")
        self._data = data
        self._sha = hashlib.sha256()
        self.nbytes = 0
        self.complete = False
        self.encoding: str | None = None
        self.decoder: _Decoder | None = None  # set while text is decoded (see _csv_rows)
        self._started = False
        self.size = len(data) if data is not None else check_size(self.path)

    def _open(self):
        if self._started:
            raise RuntimeError(f"{self.name} is read once")
        self._started = True
        if self._data is not None:
            return None
        try:
            f = open(self.path, "rb")
        except OSError as e:
            raise ValidationError([Problem(self.name, None, None, f"cannot read the file: {e.strerror}")]) from None
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            f.close()
            raise ValidationError([Problem(self.name, None, None, "not a regular file")])
        if st.st_size > max_file_bytes():
            f.close()
            raise _too_big(self.name, st.st_size, max_file_bytes())
        self.size = st.st_size
        return f

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        f = self._open()
        if f is None:
            for i in range(0, len(self._data), size):
                piece = self._data[i:i + size]
                self._sha.update(piece)
                self.nbytes += len(piece)
                yield piece
            self.complete = True
            return
        limit = max_file_bytes()
        with f:
            while True:
                b = f.read(size)
                if not b:
                    break
                self.nbytes += len(b)
                if self.nbytes > limit:
                    raise _too_big(self.name, self.nbytes, limit, grew=True)
                self._sha.update(b)
                yield b
        self.complete = True

    def read_all(self) -> bytes:
        f = self._open()
        if f is None:
            data = self._data
        else:
            limit = max_file_bytes()
            with f:
                data = f.read(limit + 1)
            if len(data) > limit:
                raise _too_big(self.name, len(data), limit, grew=True)
        self._sha.update(data)
        self.nbytes = len(data)
        self.complete = True
        return data

    @property
    def sha256(self) -> str:
        if not self.complete:
            raise RuntimeError(f"{self.name} was not read to its end")
        return self._sha.hexdigest()


# ---------------------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------------------

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_RAW_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def _count_eols(b: bytes | str) -> int:
    if isinstance(b, str):
        return b.count("\n") + b.count("\r") - b.count("\r\n")
    return b.count(b"\n") + b.count(b"\r") - b.count(b"\r\n")


class _Decoder:
    """Decodes blocks of whole lines of one file, keeping the state the encoding rules need."""

    def __init__(self, name: str, bom: bool):
        self.name = name
        self.bom = bom
        self.mode = "utf-8"
        self.lineno = 0  # lines decoded so far
        self.utf8_line: int | None = None  # first line with non-ASCII UTF-8
        self.bad_line: int | None = None  # first line that is not UTF-8
        self.bad_byte = 0
        self.non_ascii = self.cjk = self.common = 0
        self.seen_non_ascii = False  # any non-ASCII text decoded so far (rows then need NFC)

    def _error(self, line: int | None, reason: str) -> ValidationError:
        return ValidationError([Problem(self.name, line, None, reason)])

    def block(self, b: bytes) -> list[str]:
        nul = b.find(b"\x00")
        if nul >= 0:
            raise self._error(self.lineno + _count_eols(b[:nul]) + 1,
                              "NUL byte: this is binary data (or UTF-16 without a byte-order mark), "
                              "not a text table; save it as UTF-8 CSV")
        if self.mode == "utf-8":
            try:
                text = b.decode("utf-8")
            except UnicodeDecodeError:
                return [self._line(raw) for raw in _RAW_LINES.findall(b)]
            if self.utf8_line is None and not text.isascii():
                first = next(i for i, ch in enumerate(text) if ord(ch) > 127)
                self.utf8_line = self.lineno + _count_eols(text[:first]) + 1
                self.seen_non_ascii = True
            self._bom_check(text)
            lines = _LINES.findall(text)
            self.lineno += len(lines)
            return lines
        return [self._line(raw) for raw in _RAW_LINES.findall(b)]

    def _bom_check(self, text: str) -> None:
        pos = text.find("\ufeff")
        if pos >= 0:
            raise self._error(self.lineno + _count_eols(text[:pos]) + 1,
                              "byte-order mark (U+FEFF) inside the file: files were probably "
                              "concatenated; remove it (a BOM is accepted only at the very start)")

    def _line(self, raw: bytes) -> str:
        ln = self.lineno + 1
        if not raw.isascii():
            self.seen_non_ascii = True
        if self.mode == "utf-8":
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                byte = raw[e.start]
                if self.bom:
                    raise self._error(ln, f"byte 0x{byte:02X} is not valid UTF-8 although the "
                                          "file starts with a UTF-8 byte-order mark") from None
                if self.utf8_line is not None:
                    raise self._mixed(self.utf8_line, ln, byte) from None
                self.mode, self.bad_line, self.bad_byte = "gb18030", ln, byte
            else:
                if self.utf8_line is None and not s.isascii():
                    self.utf8_line = ln
                self._bom_check(s)
                self.lineno = ln
                return s
        if not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise self._mixed(ln, self.bad_line, self.bad_byte)
        try:
            s = raw.decode("gb18030")
        except UnicodeDecodeError as e:
            if self._looks_chinese():
                raise self._error(ln, f"byte 0x{raw[e.start]:02X} cannot be decoded: the file reads "
                                      "as Chinese GBK/GB18030 up to here, then holds bytes that are "
                                      "not valid in that encoding either") from None
            raise self._neither() from None
        if not s.isascii():
            na = _ASCII_RUNS.sub("", s)
            cjk = "".join(_CJK.findall(na))
            self.non_ascii += len(na)
            self.cjk += len(cjk)
            self.common += len(cjk.encode("gb2312", "ignore")) // 2
        self._bom_check(s)
        self.lineno = ln
        return s

    def _mixed(self, utf8_line: int, bad_line: int | None, byte: int) -> ValidationError:
        return self._error(bad_line, f"mixed encodings: line {utf8_line} is UTF-8 but line {bad_line} "
                                     f"is not (byte 0x{byte:02X}; GBK?); the file was probably put "
                                     "together from files in different encodings: save it all as UTF-8")

    def _neither(self) -> ValidationError:
        return self._error(self.bad_line, f"cannot decode byte 0x{self.bad_byte:02X}: the file is neither "
                                          "UTF-8 nor Chinese GBK/GB18030 (Latin-1 or Windows-1252?); "
                                          "save it as UTF-8")

    def _looks_chinese(self) -> bool:
        """Decoded GB18030 text is taken as Chinese when its non-ASCII characters are CJK and
        nearly all of them are in GB2312 (common hanzi; real city and firm names are). Latin-1
        or cp1252 bytes also decode as GB18030, but to rare characters outside GB2312."""
        n = self.non_ascii
        return n > 0 and self.cjk >= 0.8 * n and self.common >= 0.9 * n

    def finish(self) -> None:
        if self.mode == "gb18030" and not self._looks_chinese():
            raise self._neither()


def text_lines(src: Source) -> Iterator[str]:
    """The decoded physical lines of a text file, each with its line end (``\\n``, ``\\r\\n`` or
    ``\\r``); sets ``src.encoding``. See the module docstring for the encoding rules."""
    it = src.chunks()
    first = next(it, b"")
    if first.startswith(b"PK\x03\x04"):
        raise ValidationError([Problem(src.name, None, None,
                                       "this is a zip file (an Excel workbook?), not text: "
                                       "give it the .xlsx extension or export it as CSV")])
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        src.encoding = "UTF-16 (BOM)"
        yield from _utf16_lines(first, it, src.name)
        return
    bom = first.startswith(b"\xef\xbb\xbf")
    if bom:
        first = first[3:]
    src.encoding = "UTF-8 with BOM" if bom else "UTF-8"
    dec = _Decoder(src.name, bom)
    src.decoder = dec
    pending = bytearray()
    for chunk in itertools.chain([first], it):
        start = len(pending)
        pending += chunk
        # complete lines end at the last \n, or at a \r that is not the last byte (\r\n may be split)
        cut = max(pending.rfind(b"\n", start), pending.rfind(b"\r", start, len(pending) - 1))
        if cut < 0:
            continue
        block = bytes(pending[:cut + 1])
        del pending[:cut + 1]
        yield from dec.block(block)
    if pending:
        yield from dec.block(bytes(pending))
    dec.finish()
    if dec.mode == "gb18030":
        src.encoding = "GB18030"


def _utf16_lines(first: bytes, rest: Iterator[bytes], name: str) -> Iterator[str]:
    dec = codecs.getincrementaldecoder("utf-16")()
    pending = ""
    lineno = 0
    for chunk in itertools.chain([first], rest, [None]):
        try:
            text = dec.decode(b"", final=True) if chunk is None else dec.decode(chunk)
        except UnicodeDecodeError as e:
            raise ValidationError([Problem(name, lineno + _count_eols(pending) + 1, None,
                                           f"invalid UTF-16 data ({e.reason})")]) from None
        buf = pending + text
        pos = buf.find("\ufeff")
        if pos >= 0:
            raise ValidationError([Problem(
                name, lineno + _count_eols(buf[:pos]) + 1, None,
                "byte-order mark (U+FEFF) inside the file: files were probably concatenated; "
                "remove it (a BOM is accepted only at the very start)")])
        lines = _LINES.findall(buf)
        pending = ""
        if chunk is not None and lines and (not lines[-1].endswith(("\n", "\r")) or lines[-1].endswith("\r")):
            pending = lines.pop()
        lineno += len(lines)
        yield from lines


def read_text(path: Path) -> tuple[str, str]:
    """Size-check, read and decode a whole text file; returns ``(text, encoding name)``."""
    src = Source(path)
    text = "".join(text_lines(src))
    return text, src.encoding or "UTF-8"


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode file bytes; see the module docstring for the rules. Returns ``(text, encoding)``.

    >>> decode_bytes("城市\\n沈阳\\n".encode("gbk"), "x.csv")
    ('城市\\n沈阳\\n', 'GB18030')
    >>> decode_bytes(b"\\xef\\xbb\\xbfname\\n", "x.csv")
    ('name\\n', 'UTF-8 with BOM')
    """
    src = Source(None, data=data, name=name)
    text = "".join(text_lines(src))
    return text, src.encoding or "UTF-8"


# ---------------------------------------------------------------------------------------------
# rows
# ---------------------------------------------------------------------------------------------

def sniff_delimiter(header_line: str) -> str | None:
    """The delimiter among comma, semicolon and tab occurring most often in the header line
    (outside double quotes); ``None`` when none occurs.

    >>> sniff_delimiter("a;b;c"), sniff_delimiter('"x,y"\\tb'), sniff_delimiter("abc")
    (';', '\\t', None)
    """
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else None


Rows = Iterator[tuple[int, list]]


def _peek_first(lines: Iterator[str], comments: tuple[str, ...]) -> tuple[list[str], str]:
    """Lines up to the first that is neither blank nor a comment, and that line stripped."""
    head: list[str] = []
    for ln in lines:
        head.append(ln)
        s = ln.strip()
        if s and not (comments and s.startswith(comments)):
            return head, s
    return head, ""


def _text_rows(lines: Iterator[str], name: str, problems: list[Problem], *, whitespace: bool = False,
               comments: tuple[str, ...] = (), src: Source | None = None) -> tuple[dict, Rows]:
    """Rows of a text table as ``(line, cells)``; blank rows (and comment rows when
    ``comments``) are dropped. ``whitespace``: split on whitespace when the first line holds no
    comma, semicolon or tab (triples)."""
    head, first = _peek_first(lines, comments)
    delim = sniff_delimiter(first)
    if first.count(delim or ",") >= MAX_COLUMNS:  # refuse before splitting a huge header
        check_header([None] * (first.count(delim or ",") + 1), name, len(head))
    stream = itertools.chain(head, lines)
    if delim is None and whitespace:
        return {"delimiter": "whitespace", "kind": "text"}, _ws_rows(stream, name, problems, comments)
    return {"delimiter": delim or ",", "kind": "text"}, _csv_rows(stream, delim or ",", name, comments, src)


def _csv_rows(stream: Iterator[str], delim: str, name: str, comments: tuple[str, ...],
              src: Source | None = None) -> Rows:
    reader = csv.reader(stream, delimiter=delim, strict=True)
    prev_end = 0
    dec = src.decoder if src is not None else None
    try:
        for cells in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if dec is not None and not dec.seen_non_ascii:  # the file so far is ASCII: no NFC
                row = [c.strip() or None for c in cells]
            else:
                row = [clean(c) for c in cells]
            if not any(row):
                continue
            if comments and row[0] and row[0].startswith(comments):
                continue
            yield start, row
    except csv.Error as e:
        raise ValidationError([Problem(name, prev_end + 1, None, f"broken CSV: {e}")]) from None


_WS_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def _ws_rows(stream: Iterator[str], name: str, problems: list[Problem], comments: tuple[str, ...]) -> Rows:
    for lineno, ln in enumerate(stream, 1):
        s = ln.strip()
        if not s or s.startswith(comments):
            continue
        cells = split_ws(s)
        if cells is None:
            problems.append(Problem(name, lineno, None, "unterminated double quote"))
            continue
        yield lineno, [clean(c) for c in cells]


def split_ws(line: str) -> list[str] | None:
    """Tokens of a whitespace-separated line (``"quoted names"`` kept whole); None when a quote
    is not closed."""
    if line.count('"') % 2:
        return None
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _WS_TOKEN.finditer(line)]


def check_zip(path_or_data, limit: int | None = None, name: str | None = None) -> None:
    """Zip-bomb guard for xlsx: declared uncompressed sizes vs a limit (2x the file-size limit)
    and the compression ratio of big members vs :data:`MAX_ZIP_RATIO`. Reads only the central
    directory. ``path_or_data`` is a path or the workbook's bytes."""
    if isinstance(path_or_data, (bytes, bytearray)):
        target, name = io.BytesIO(path_or_data), name or "workbook"
    else:
        target, name = path_or_data, name or Path(path_or_data).name
    limit = 2 * max_file_bytes() if limit is None else limit
    try:
        with zipfile.ZipFile(target) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ValidationError([Problem(name, None, None,
                                       "not a valid .xlsx file (not a zip archive); "
                                       "is it a CSV or an old .xls file renamed?")]) from None
    if len(infos) > 10_000:
        raise ValidationError([Problem(name, None, None, f"xlsx archive holds {len(infos)} members: refused")])
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise ValidationError([Problem(
            name, None, None,
            f"xlsx would inflate to {total / 2**20:.0f} MB, above the limit of {limit / 2**20:.0f} MB "
            "(zip bomb?); nothing was read")])
    for i in infos:
        if i.file_size > ZIP_RATIO_MIN_BYTES and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
            raise ValidationError([Problem(
                name, None, None,
                f"xlsx member {i.filename} inflates {i.file_size / max(i.compress_size, 1):.0f}-fold "
                f"to {i.file_size / 2**20:.0f} MB (zip bomb?); refused")])


def _xlsx_rows(src: Source, problems: list[Problem], *, sheet: str | None,
               sheet_if_several: bool) -> tuple[dict, Rows]:
    """Rows of one sheet as ``(sheet row, cells)``. ``sheet_if_several``: use ``sheet`` only
    when the workbook has several sheets (a single sheet is read whatever its name)."""
    import warnings

    import openpyxl

    name = src.name
    data = src.read_all()
    check_zip(data, name=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for corrupt files
        raise ValidationError([Problem(name, None, None, f"cannot open the workbook: {e}")]) from None
    try:
        names = wb.sheetnames
        if sheet is None or (sheet_if_several and len(names) == 1):
            if len(names) > 1:
                raise ValidationError([Problem(
                    name, None, None,
                    f"the workbook has {len(names)} sheets ({', '.join(repr(s) for s in names)}): "
                    "choose one with --sheet")])
            sheet = names[0]
        elif sheet not in names:
            raise ValidationError([Problem(name, None, None,
                                           f"no sheet {sheet!r}; the sheets are "
                                           f"{', '.join(repr(s) for s in names)}")])
        ws = wb[sheet]
        merged, formulas = _scan_sheet(wb, ws)
        if merged:
            shown = ", ".join(merged[:10]) + (" ..." if len(merged) > 10 else "")
            first_row = int(re.search(r"\d+", merged[0]).group())
            raise ValidationError([Problem(
                name, first_row, None,
                f"sheet {sheet!r} has merged cells ({shown}): unmerge them so every row holds "
                "its own values")])
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # do not trust a stale <dimension>
    except (KeyError, OSError, zipfile.BadZipFile) as e:
        wb.close()
        raise ValidationError([Problem(name, None, None, f"cannot read the workbook: {e}")]) from None
    except BaseException:
        wb.close()
        raise
    return {"sheet": sheet, "kind": "xlsx", "formulas": formulas}, _xlsx_iter(wb, ws, name, sheet)


def _xlsx_iter(wb, ws, name: str, sheet: str) -> Rows:
    r = 0
    try:
        for r, values in enumerate(ws.iter_rows(min_row=1, values_only=True), 1):
            cells = [_cell_str(v) for v in values]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                yield r, cells
    except ValidationError:
        raise
    except Exception as e:  # corrupt XML, bad CRC, truncated member, ...
        raise ValidationError([Problem(name, r + 1 if r else None, None,
                                       f"cannot read sheet {sheet!r}: {e}")]) from None
    finally:
        wb.close()


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _scan_sheet(wb, ws) -> tuple[list[str], dict[str, str]]:
    """Merged ranges of a read-only sheet (from ``<mergeCell ref=...>``, which read-only mode
    does not expose) and its formula cells without a saved value (``{ref: formula}``), streamed
    from the sheet's XML."""
    member = getattr(ws, "_worksheet_path", None)
    if member is None:
        return [], {}
    found: list[str] = []
    has_formula = False
    tail = b""
    with wb._archive.open(member) as src:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            buf = tail + chunk
            for m in _MERGE.finditer(buf):
                ref = m.group(1).decode()
                if ref not in found:
                    found.append(ref)
            has_formula = has_formula or bool(_FORMULA_TAG.search(buf))
            tail = buf[-200:]
    return found, (_formulas_without_value(wb, member) if has_formula else {})


def _formulas_without_value(wb, member: str, cap: int = 1000) -> dict[str, str]:
    """Cells ``<c>`` holding a formula ``<f>`` but no saved value ``<v>`` (openpyxl's
    ``data_only=True`` would read them as empty): ``{"B3": "SUM(A1:A2)"}``. A formula whose
    saved value is an empty string (``t="str"`` with an empty ``<v>``) has a value."""
    import xml.etree.ElementTree as ET

    out: dict[str, str] = {}
    with wb._archive.open(member) as src:
        for _, el in ET.iterparse(src, events=("end",)):
            tag = el.tag.rpartition("}")[2]
            if tag == "c":
                f = v = None
                for ch in el:
                    t = ch.tag.rpartition("}")[2]
                    if t == "f":
                        f = ch
                    elif t in ("v", "is"):
                        v = ch
                if f is not None:
                    empty = v is None or (t != "is" and not (v.text or "") and el.get("t") not in ("str", "s", "inlineStr"))
                    if empty:
                        out[el.get("r") or "?"] = (f.text or "").strip() or "(shared formula)"
                        if len(out) >= cap:
                            break
                el.clear()
            elif tag == "row":
                el.clear()
    return out


def _cell_str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, int):
        return str(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return clean(v)


def _formula_reason(ref: str, formula: str) -> str:
    return (f"cell {ref} holds a formula (={formula[:60]}) without a saved value: open the workbook "
            "in Excel or LibreOffice and save it (or paste the values) so that the value can be read")


def _column_letter_index(ref: str) -> tuple[int, int]:
    """``"B3"`` -> ``(3, 2)`` (row, 1-based column)."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _open_rows(src: Source, problems: list[Problem], *, sheet: str | None = None,
               sheet_if_several: bool = False, whitespace: bool = False,
               comments: tuple[str, ...] = (), lines: Iterator[str] | None = None) -> tuple[dict, Rows]:
    if src.path is not None and src.path.suffix.lower() in EXCEL_SUFFIXES:
        return _xlsx_rows(src, problems, sheet=sheet, sheet_if_several=sheet_if_several)
    return _text_rows(text_lines(src) if lines is None else lines, src.name, problems,
                      whitespace=whitespace, comments=comments, src=src)


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------

class TableReader:
    """A table file (CSV/TSV/TXT or one Excel sheet) with a header row, read once, in chunks.

    Opening reads up to the header and checks it (raises ValidationError: empty file, no
    header row, empty or duplicate header cells, more than :data:`MAX_COLUMNS` columns).
    :meth:`chunks` yields frames of at most ``rows`` rows, string cells, index = line. Rows
    with more or fewer fields than the header and formula cells without a saved value are
    collected in :attr:`problems` (and left out). After the last chunk ``attrs`` holds
    ``file``, ``sha256``, ``encoding`` (text), ``delimiter`` / ``sheet`` and ``header_line``.
    """

    def __init__(self, path: str | os.PathLike | Source, *, sheet: str | None = None,
                 sheet_if_several: bool = False, rows: Rows | None = None, meta: dict | None = None):
        self.src = path if isinstance(path, Source) else Source(path)
        self.name = self.src.name
        self.problems: list[Problem] = []
        if rows is None:
            meta, rows = _open_rows(self.src, self.problems, sheet=sheet, sheet_if_several=sheet_if_several)
        self.attrs: dict = {"file": self.name, **(meta or {})}
        self._rows = rows
        first = next(rows, None)
        if first is None:
            raise ValidationError([Problem(self.name, None, None, "the file is empty (no header row)")])
        self.header_line, header = first
        self.attrs["header_line"] = self.header_line
        self.header = check_header(header, self.name, self.header_line)
        self._formulas = self.attrs.pop("formulas", {}) or {}

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        header, name = self.header, self.name
        width = len(header)
        kind = self.attrs.get("kind")
        delim = self.attrs.get("delimiter")
        note = f" (delimiter {_show_delim(delim)})" if delim else ""
        formula_rows: dict[int, list[tuple[int, str, str]]] = {}
        for ref, f in self._formulas.items():
            r, col = _column_letter_index(ref)
            formula_rows.setdefault(r, []).append((col, ref, f))
        for r, cells in sorted(formula_rows.items()):
            for col, ref, f in cells:
                shown = header[col - 1] if 0 < col <= width else None
                self.problems.append(Problem(name, r, shown, _formula_reason(ref, f)))
        lines: list[int] = []
        body: list[list] = []
        n_out = 0
        for line, cells in self._rows:
            n = len(cells)
            if n != width:
                if n > width and any(c is not None for c in cells[width:]):
                    self.problems.append(Problem(name, line, None, f"{n} fields but the header has {width}{note}"))
                    continue
                if n < width and kind == "text":
                    self.problems.append(Problem(name, line, None, f"{n} field(s) but the header has {width}{note}"))
                    continue
                cells = cells[:width] + [None] * (width - n) if n < width else cells[:width]
            lines.append(line)
            body.append(cells)
            if len(body) >= rows:
                yield self._frame(lines, body)
                n_out += 1
                lines, body = [], []
        if body or not n_out:
            yield self._frame(lines, body)
        if self.src.encoding:
            self.attrs["encoding"] = self.src.encoding
        self.attrs["sha256"] = self.src.sha256

    def _frame(self, lines: list[int], body: list[list]) -> pd.DataFrame:
        idx = pd.Index(np.asarray(lines, dtype=np.int64), name="line")
        if body:
            df = pd.DataFrame(body, columns=self.header, index=idx, dtype=object)
        else:
            df = pd.DataFrame({h: pd.Series([], dtype=object) for h in self.header}, index=idx)
        df.attrs = dict(self.attrs)
        return df


def check_header(header: list, name: str, line: int) -> list[str]:
    """Header cells trimmed (NFC), trailing empty cells dropped; refuses too many columns, a
    row of numbers (no header), empty and duplicate (case-insensitive) names."""
    if len(header) > MAX_COLUMNS:
        raise ValidationError([Problem(
            name, line, None,
            f"the header has {len(header):,} columns, above the limit of {MAX_COLUMNS:,}: "
            "is this the right file (or the right delimiter)? Split a wide table, or give it "
            "in long format (one row per city-year)")])
    header = [clean(h) or "" for h in header]
    while header and not header[-1]:
        header.pop()
    problems: list[Problem] = []
    if all(_is_number(h) for h in header if h):
        problems.append(Problem(name, line, None,
                                "no header row: the first row looks like data "
                                f"({', '.join(repr(h) for h in header[:4])}); add a header line"))
    seen: dict[str, int] = {}
    for i, h in enumerate(header, 1):
        if not h:
            problems.append(Problem(name, line, str(i), f"header cell {i} is empty"))
        elif h.lower() in seen:
            problems.append(Problem(name, line, h,
                                    f"duplicate column name {h!r} (also column {seen[h.lower()]})"))
        else:
            seen[h.lower()] = i
    if problems:
        raise ValidationError(problems)
    return header


# ---------------------------------------------------------------------------------------------
# edge files
# ---------------------------------------------------------------------------------------------

class EdgeReader:
    """An edge file read once: the format is inferred from the bytes that are parsed.

    :meth:`chunks` yields frames with columns ``source``, ``target`` (text, ``None`` when
    empty), ``weight`` (float, NaN when empty or not a number), ``year`` (int, 0 when absent),
    ``weight_bad`` (True where the weight is not a number: reported in :attr:`problems`; a year
    that is not an integer is reported and read as 0), index
    = line. ``directed`` is known after the last chunk for Pajek files (any arcs), at once for
    the others. ``attrs["columns"]`` names the file's source/target/weight/year columns;
    ``attrs["vertices"]`` the Pajek vertex labels.
    """

    def __init__(self, path: str | os.PathLike, fmt: str | None = None, *, directed: bool | None = None,
                 sheet: str | None = None, sheet_if_several: bool = False):
        self.src = Source(path)
        self.name = self.src.name
        self.problems: list[Problem] = []
        self._directed_arg = directed
        self.directed: bool | None = None
        fmt = (fmt or "").lower() or None
        if fmt is not None and fmt not in FORMATS:
            raise ValidationError([Problem(self.name, None, None,
                                           f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")])
        suffix = self.src.path.suffix.lower()
        self.attrs: dict = {"file": self.name}
        self._lines = None
        if fmt is None and suffix in PAJEK_SUFFIXES:
            fmt = "pajek"
        if suffix in EXCEL_SUFFIXES and fmt != "pajek":
            meta, rows = _xlsx_rows(self.src, self.problems, sheet=sheet, sheet_if_several=sheet_if_several)
            first = next(rows, None)
            if fmt is None:
                fmt = "xlsx" if first is not None and _format_from_header(first[1]) == "csv" else "triples"
            self._meta, self._rows = meta, itertools.chain([first] if first else [], rows)
        elif fmt != "pajek" or suffix not in PAJEK_SUFFIXES:
            lines = text_lines(self.src)
            head, first = _peek_first(lines, ("%",))
            self._lines = itertools.chain(head, lines)
            if fmt is None:
                low = first.lower()
                if low.startswith(("*vertices", "*network")):
                    fmt = "pajek"
                else:
                    delim = sniff_delimiter(first)
                    hdr = next(csv.reader([first], delimiter=delim)) if delim else (split_ws(first) or [])
                    fmt = _format_from_header(hdr)
        self.fmt = fmt
        if fmt in ("csv", "xlsx"):
            self.directed = True if directed is None else bool(directed)
        elif fmt == "triples":
            self.directed = bool(directed) if directed is not None else False

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        if self.fmt == "pajek":
            from cultnet.etl.pajek import parse_pajek

            lines = self._lines if self._lines is not None else text_lines(self.src)
            df, directed, vertices = parse_pajek(lines, self.src, directed=self._directed_arg)
            self.directed = directed
            self.attrs.update({"encoding": self.src.encoding, "vertices": vertices,
                               "columns": {"source": "1", "target": "2", "weight": "3", "year": "year"}})
            for i in range(0, max(len(df), 1), rows):
                yield df.iloc[i:i + rows]
            self.attrs["sha256"] = self.src.sha256
            return
        if self.fmt == "triples":
            yield from self._triples(rows)
        else:
            yield from self._table(rows)
        if self.src.encoding:
            self.attrs["encoding"] = self.src.encoding
        self.attrs["sha256"] = self.src.sha256

    # -- csv / xlsx tables ------------------------------------------------------------------
    def _table(self, rows: int) -> Iterator[pd.DataFrame]:
        from cultnet.etl.validate import FileProblems, map_columns

        if self._lines is not None:
            meta, it = _text_rows(self._lines, self.name, self.problems, src=self.src)
        else:
            meta, it = self._meta, self._rows
        t = TableReader(self.src, rows=it, meta=meta)
        self.attrs.update({k: v for k, v in t.attrs.items() if k != "formulas"})
        sink = FileProblems(self.name)
        mapping = map_columns(t.header, "edges", ["source", "target"], sink, t.header_line)
        if sink.problems:
            raise ValidationError(sink.problems)
        self.attrs["columns"] = {k: mapping.get(k, k) for k in ("source", "target", "weight", "year")}
        n = 0
        for chunk in t.chunks(rows):
            n += len(chunk)
            yield self._standard(chunk, mapping)
        self.problems.extend(t.problems)
        self.attrs.update(t.attrs)
        if n == 0 and not self.problems:
            raise ValidationError([Problem(self.name, t.header_line, None,
                                           "the file has a header but no data rows")])

    def _standard(self, chunk: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
        lines = chunk.index.to_numpy()
        out = pd.DataFrame({"source": chunk[mapping["source"]].to_numpy(dtype=object),
                            "target": chunk[mapping["target"]].to_numpy(dtype=object)},
                           index=chunk.index, dtype=object)
        bad = np.zeros(len(chunk), dtype=bool)
        w = np.ones(len(chunk))
        if "weight" in mapping:
            x, missing, b = numbers(chunk[mapping["weight"]])
            raw = chunk[mapping["weight"]].to_numpy(dtype=object)
            for k in np.flatnonzero(b):
                self.problems.append(Problem(self.name, int(lines[k]), mapping["weight"],
                                             f"weight {short(raw[k])} is not a number{number_hint(raw[k])}"))
            w = np.where(missing, np.nan, x)
            bad = b
        y = np.full(len(chunk), NO_YEAR, dtype=np.int64)
        if "year" in mapping:
            raw = chunk[mapping["year"]].to_numpy(dtype=object)
            x, missing, b = numbers(raw)
            integral = ~missing & ~b & np.isfinite(x) & (x == np.round(x))
            notint = ~missing & ~integral
            for k in np.flatnonzero(notint):
                self.problems.append(Problem(self.name, int(lines[k]), mapping["year"],
                                             f"year {short(raw[k])} is not an integer{number_hint(raw[k])}"))
            y = np.where(integral, np.nan_to_num(x), NO_YEAR).astype(np.int64)
        out["weight"] = w
        out["year"] = y
        out["weight_bad"] = bad
        return out

    # -- triples ---------------------------------------------------------------------------
    def _triples(self, rows: int) -> Iterator[pd.DataFrame]:
        name = self.name
        if self._lines is not None:
            meta, it = _text_rows(self._lines, name, self.problems, whitespace=True, comments=TRIPLE_COMMENTS)
        else:
            meta, it = self._meta, self._rows
        self.attrs.update({k: v for k, v in meta.items() if k != "formulas"})
        for ref, formula in (meta.get("formulas") or {}).items():
            row, col = _column_letter_index(ref)
            self.problems.append(Problem(name, row, str(col), _formula_reason(ref, formula)))
        first = next(it, None)
        if first is None:
            raise ValidationError([Problem(name, None, None, "the file is empty")])
        cells = first[1]
        stream: Rows = it
        if (len(cells) >= 3 and not _is_number(cells[2] or "")) or \
                (len(cells) == 2 and not _is_number(cells[1] or "") and _names_edge_columns(cells)):
            header_line = first[0]  # a header: node, partner, frequency (any names)
        else:
            header_line = None
            stream = itertools.chain([first], it)
        self.attrs["columns"] = {"source": "1", "target": "2", "weight": "3", "year": "4"}
        buf: list[tuple] = []
        n = 0
        for line, cells in stream:
            while cells and cells[-1] in (None, ""):
                cells = cells[:-1]
            if len(cells) < 2 or len(cells) > 4:
                self.problems.append(Problem(name, line, None,
                                             f"expected node, partner, frequency (3 values), found {len(cells)}"))
                continue
            a, b = cells[0], cells[1]
            weight, year, bad = 1.0, NO_YEAR, False
            if len(cells) >= 3:
                x = _to_float(cells[2])
                if x is None:
                    self.problems.append(Problem(name, line, "3", f"frequency {short(cells[2])} is not a number"
                                                                  f"{number_hint(cells[2])}"))
                    weight, bad = np.nan, True
                else:
                    weight = x
            if len(cells) == 4:
                x = _to_float(cells[3])
                if x is None or not np.isfinite(x) or not float(x).is_integer():
                    self.problems.append(Problem(name, line, "4", f"year {short(cells[3])} is not an integer"))
                else:
                    year = int(x)
            buf.append((line, a, b, weight, year, bad))
            if len(buf) >= rows:
                yield _triple_frame(buf)
                n += len(buf)
                buf = []
        if buf or not n:
            if not buf and not n and not self.problems:
                raise ValidationError([Problem(name, header_line or first[0], None,
                                               "no edges: only a header row")])
            yield _triple_frame(buf)


def _triple_frame(buf: list[tuple]) -> pd.DataFrame:
    if not buf:
        return pd.DataFrame({"source": pd.Series([], dtype=object), "target": pd.Series([], dtype=object),
                             "weight": pd.Series([], dtype="float64"), "year": pd.Series([], dtype="int64"),
                             "weight_bad": pd.Series([], dtype=bool)},
                            index=pd.Index([], dtype=np.int64, name="line"))
    line, a, b, w, y, bad = zip(*buf)
    index = pd.Index(np.asarray(line, dtype=np.int64), name="line")
    return pd.DataFrame({"source": pd.Series(a, dtype=object, index=index),
                         "target": pd.Series(b, dtype=object, index=index),
                         "weight": np.asarray(w, dtype=np.float64), "year": np.asarray(y, dtype=np.int64),
                         "weight_bad": np.asarray(bad, dtype=bool)}, index=index)


def _format_from_header(header: list) -> str:
    """The paper's words (a ``node`` or ``partner`` column) or no header (2 cells, or a number in
    the third cell) -> triples; a header naming source/target columns -> csv; any other header
    -> csv too, so that missing columns are reported with a suggestion instead of a misspelt
    header being read as an edge."""
    from cultnet.etl.validate import norm_col

    cells = [str(h) if h is not None else "" for h in header]
    keys = {norm_col(h) for h in cells if h}
    if keys & {"node", "partner"}:
        return "triples"
    if _names_edge_columns(cells):
        return "csv"
    if len(cells) == 2 or (3 <= len(cells) <= 4 and _is_number(cells[2])):
        return "triples"
    return "csv"


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _names_edge_columns(header) -> bool:
    from cultnet.etl.validate import ALIASES, norm_col

    keys = {norm_col(str(h)) for h in header if h}
    src = {norm_col(a) for a in ALIASES["edges"]["source"]} | {"source"}
    dst = {norm_col(a) for a in ALIASES["edges"]["target"]} | {"target"}
    return bool(keys & src) and bool(keys & dst)


def _is_number(s: str) -> bool:
    return _to_float(s) is not None


def _to_float(s) -> float | None:
    from cultnet.etl.cells import parse_number

    return parse_number(s)


def _show_delim(d: str | None) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "whitespace": "whitespace"}.get(d or "", repr(d))
