"""Readers for the input files of a load: CSV, XLSX, Pajek ``.net`` and "triples" edge lists.

Readers only turn bytes into rows; they do not judge values (that is :mod:`cultnet.etl.validate`). Every
row keeps where it came from: the ``line`` column is the physical line of a text file (the header
of a CSV is line 1; a quoted field spanning lines counts from its first line) or the sheet row of
an Excel sheet. Problems the reader itself finds (size, encoding, broken structure) are collected
per file and raised as one :class:`~cultnet.errors.ValidationError`.

Encodings (text files)
    UTF-8, UTF-8 with a byte-order mark (the BOM is accepted and dropped), UTF-16 *with* a BOM
    (Excel's "Unicode text"), and GBK / GB18030 for Chinese files (GB18030 is a superset of GBK
    and GB2312). The encoding used is named in ``DataFrame.attrs["encoding"]``. Refused, with the
    line: bytes that are neither UTF-8 nor Chinese GB18030 text, files mixing UTF-8 and GBK lines,
    a BOM (U+FEFF) in the middle of a file (files concatenated), NUL bytes (binary data, or
    UTF-16 without a BOM), and zip files (an Excel workbook renamed ``.csv``).

Size guard
    Files above ``CULTNET_MAX_FILE_MB`` (default 100) are refused from ``os.stat`` before a byte is
    read. Excel workbooks are zip files: the sum of the uncompressed sizes of their members is
    checked against twice the same limit, and the compression ratio of big members against
    :data:`MAX_ZIP_RATIO`, before openpyxl opens them (``zipfile`` never inflates a member past the
    size its header declares, so the declared sizes bound memory).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from sys import intern as _intern
from pathlib import Path

import pandas as pd

from cultnet.errors import Problem, ValidationError

DEFAULT_MAX_FILE_MB = 100.0
MAX_ZIP_RATIO = 100.0  # refuse xlsx members inflating more than 100x ...
ZIP_RATIO_MIN_BYTES = 10 * 2**20  # ... when they inflate to more than 10 MB
FORMATS = ("csv", "xlsx", "pajek", "triples")
DELIMITERS = (",", ";", "\t")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PAJEK_SUFFIXES = (".net", ".paj")


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------

def read_table(path: str | os.PathLike, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX table with a header row.

    Returns a frame with one column per header cell (values are strings, or ``None`` for empty
    cells; Excel numbers come back as their ``str``) and an int ``line`` column. ``attrs`` holds
    ``file``, ``encoding`` (text files) and ``delimiter`` / ``sheet``.

    Raises
    ------
    ValidationError
        Too big, undecodable, empty, no header, duplicate or empty header cells, rows with more or
        fewer fields than the header, several sheets and none chosen, merged cells.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("name;lat\\nDalian;38.9\\n", encoding="utf-8")
    >>> df = read_table(p)
    >>> df.to_dict("records"), df.attrs["delimiter"]
    ([{'name': 'Dalian', 'lat': '38.9', 'line': 2}], ';')
    """
    path = Path(path)
    name = path.name
    rows, meta = _read_rows(path, sheet=sheet)
    if not rows:
        raise ValidationError([Problem(name, None, None, "the file is empty (no header row)")])
    header_line, header = rows[0]
    problems: list[Problem] = []
    header = [(h or "").strip() for h in header]
    # Excel sheets often carry trailing empty header cells: drop empty columns at the end.
    while header and not header[-1] and all(len(r) < len(header) or not r[len(header) - 1]
                                            for _, r in rows[1:]):
        header.pop()
    if all(_is_number(h) for h in header if h):
        problems.append(Problem(name, header_line, None,
                                "no header row: the first row looks like data "
                                f"({', '.join(repr(h) for h in header[:4])}); add a header line"))
    seen: dict[str, int] = {}
    for i, h in enumerate(header, 1):
        if not h:
            problems.append(Problem(name, header_line, str(i), f"header cell {i} is empty"))
        elif h.lower() in seen:
            problems.append(Problem(name, header_line, h,
                                    f"duplicate column name {h!r} (also column {seen[h.lower()]})"))
        else:
            seen[h.lower()] = i
    width = len(header)
    body = rows[1:]
    lines = [ln for ln, _ in body]
    records = [cells for _, cells in body]
    delim_note = f" (delimiter {_show_delim(meta.get('delimiter'))})" if meta.get("delimiter") else ""
    if any(len(c) != width for c in records):  # slow path only for ragged files
        keep = []
        for k, cells in enumerate(records):
            n = len(cells)
            if n > width and any(c not in (None, "") for c in cells[width:]):
                problems.append(Problem(name, lines[k], None, f"{n} fields but the header has {width}{delim_note}"))
            elif n < width and meta.get("kind") == "text":
                problems.append(Problem(name, lines[k], None, f"{n} field(s) but the header has {width}{delim_note}"))
            else:
                records[k] = list(cells[:width]) + [None] * (width - n)
                keep.append(k)
            if len(problems) > 200:
                break
        records = [records[k] for k in keep]
        lines = [lines[k] for k in keep]
    if problems:
        raise ValidationError(problems)
    df = pd.DataFrame(records, columns=header, dtype=object) if records else \
        pd.DataFrame({h: pd.Series([], dtype=object) for h in header})
    df["line"] = pd.Series(lines, dtype="int64")
    df.attrs.update(meta)
    df.attrs["file"] = name
    df.attrs["header_line"] = header_line
    return df


def read_edge_file(path: str | os.PathLike, fmt: str | None = None, *, directed: bool | None = None,
                   sheet: str | None = None) -> tuple[pd.DataFrame, bool]:
    """Read an edge list in any supported format.

    Formats (``fmt``; inferred from the extension and content when ``None``):

    ``pajek``   a Pajek ``.net`` file (:mod:`cultnet.etl.pajek`); directed when it has any arcs.
    ``csv``     a CSV/XLSX table with a header naming the source, target (and weight, year)
                columns (aliases accepted, see :data:`cultnet.etl.validate.ALIASES`); directed unless
                ``directed=False``.
    ``xlsx``    the same, from an Excel sheet.
    ``triples`` the paper's three-column "node, partner, frequency" list (CSV, XLSX or
                whitespace-separated text; header optional); undirected unless ``directed=True``.

    Returns ``(edges, directed)``: ``edges`` has columns ``source``, ``target`` (str), ``weight``
    (float), ``year`` (int, 0 when absent) and ``line``; values are checked (non-numeric weights
    and years raise). Duplicates are *not* merged here; :func:`cultnet.etl.validate.sum_duplicate_edges`
    sums them (the paper's rule) when the bundle is built.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_text("a b 2\\nb c 1\\n")
    >>> e, d = read_edge_file(p)
    >>> e[["source", "target", "weight", "line"]].values.tolist(), d
    ([['a', 'b', 2.0, 1], ['b', 'c', 1.0, 2]], False)
    """
    path = Path(path)
    name = path.name
    check_size(path)
    fmt = (fmt or "").lower() or infer_edge_format(path, sheet=sheet)
    if fmt not in FORMATS:
        raise ValidationError([Problem(name, None, None,
                                       f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")])
    if fmt == "pajek":
        from cultnet.etl.pajek import read_pajek

        return read_pajek(path, directed=directed)
    if fmt == "triples":
        return _read_triples(path, directed=directed, sheet=sheet)
    table = read_table(path, sheet=sheet)
    from cultnet.etl.validate import edge_frame_from_table

    edges = edge_frame_from_table(table, name)
    return edges, True if directed is None else bool(directed)


def infer_edge_format(path: Path, *, sheet: str | None = None) -> str:
    """``pajek`` for .net/.paj or text starting with ``*Vertices``; ``xlsx`` for Excel files whose
    header names source/target columns, else ``triples``; the same for text (``csv``/``triples``).
    """
    suffix = path.suffix.lower()
    if suffix in PAJEK_SUFFIXES:
        return "pajek"
    if suffix in EXCEL_SUFFIXES:
        rows, _ = _read_rows(path, sheet=sheet, max_rows=1)
        header = rows[0][1] if rows else []
        return "xlsx" if _format_from_header(header) == "csv" else "triples"
    text, _ = read_text(path)
    first = ""
    for ln in text.splitlines():
        s = ln.strip()
        if s and not s.startswith("%"):
            first = s
            break
    if first.lower().startswith("*vertices") or first.lower().startswith("*network"):
        return "pajek"
    delim = sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delim)) if delim else _split_ws(first, path.name, 1)
    return _format_from_header(header)


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
# size and encoding
# ---------------------------------------------------------------------------------------------

def max_file_bytes() -> int:
    """The size limit in bytes: ``CULTNET_MAX_FILE_MB`` (default 100) MiB."""
    raw = os.environ.get("CULTNET_MAX_FILE_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int(mb * 2**20)


def check_size(path: Path, limit: int | None = None) -> int:
    """Refuse a missing file, a directory or a file above ``limit`` bytes, from ``os.stat`` only."""
    name = Path(path).name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ValidationError([Problem(str(path), None, None, "file not found")]) from None
    except OSError as e:
        raise ValidationError([Problem(str(path), None, None, f"cannot read the file: {e.strerror}")]) from None
    if not os.path.isfile(path):
        raise ValidationError([Problem(str(path), None, None, "not a regular file")])
    limit = max_file_bytes() if limit is None else limit
    if st.st_size > limit:
        raise ValidationError([Problem(
            name, None, None,
            f"file is {st.st_size / 2**20:.1f} MB, above the limit of {limit / 2**20:.0f} MB "
            "(set CULTNET_MAX_FILE_MB to raise it); nothing was read")])
    return st.st_size


def read_text(path: Path) -> tuple[str, str]:
    """Size-check, read and decode a text file; returns ``(text, encoding name)``."""
    check_size(path)
    data = Path(path).read_bytes()
    return decode_bytes(data, Path(path).name)


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode file bytes; see the module docstring for the rules. Returns ``(text, encoding)``.

    >>> decode_bytes("城市\\n沈阳\\n".encode("gbk"), "x.csv")
    ('城市\\n沈阳\\n', 'GB18030')
    >>> decode_bytes(b"\\xef\\xbb\\xbfname\\n", "x.csv")
    ('name\\n', 'UTF-8 with BOM')
    """
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError([Problem(name, None, None,
                                       "this is a zip file (an Excel workbook?), not text: "
                                       "give it the .xlsx extension or export it as CSV")])
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return _check_text(data.decode("utf-16"), name), "UTF-16 (BOM)"
        except UnicodeDecodeError as e:
            raise ValidationError([Problem(name, _line_at(data, e.start), None,
                                           f"invalid UTF-16 data at byte {e.start}")]) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ValidationError([Problem(
            name, _line_at(data, nul), None,
            "NUL byte: this is binary data (or UTF-16 without a byte-order mark), not a text "
            "table; save it as UTF-8 CSV")])
    if data.startswith(b"\xef\xbb\xbf"):
        body, enc = data[3:], "UTF-8 with BOM"
    else:
        body, enc = data, "UTF-8"
    try:
        return _check_text(body.decode("utf-8"), name), enc
    except UnicodeDecodeError as e:
        bad_line = _line_at(body, e.start)
        bad_byte = body[e.start]
        if enc == "UTF-8 with BOM":
            raise ValidationError([Problem(name, bad_line, None,
                                           f"byte 0x{bad_byte:02X} is not valid UTF-8 although the "
                                           "file starts with a UTF-8 byte-order mark")]) from None
    # Not UTF-8. Chinese GBK/GB18030? Refuse files mixing UTF-8 and GBK lines (mojibake).
    utf8_lines = [i for i, ln in enumerate(body.split(b"\n"), 1)
                  if max(ln, default=0) >= 0x80 and _is_utf8(ln)]
    if utf8_lines:
        raise ValidationError([Problem(
            name, bad_line, None,
            f"mixed encodings: line {utf8_lines[0]} is UTF-8 but line {bad_line} is not "
            f"(byte 0x{bad_byte:02X}; GBK?); the file was probably put together from files in "
            "different encodings: save it all as UTF-8")])
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError as e:
        head = body[:e.start].decode("gb18030", errors="replace")
        if _looks_chinese(head):
            raise ValidationError([Problem(
                name, _line_at(body, e.start), None,
                f"byte 0x{body[e.start]:02X} cannot be decoded: the file reads as Chinese GBK/GB18030 "
                "up to here, then holds bytes that are not valid in that encoding either")]) from None
        text = None
    if text is not None and _looks_chinese(text):
        return _check_text(text, name), "GB18030"
    raise ValidationError([Problem(
        name, bad_line, None,
        f"cannot decode byte 0x{bad_byte:02X}: the file is neither UTF-8 nor Chinese GBK/GB18030 "
        "(Latin-1 or Windows-1252?); save it as UTF-8")])


def _looks_chinese(text: str) -> bool:
    """Decoded GB18030 text is taken as Chinese when its non-ASCII characters are CJK and nearly
    all of them are in GB2312 (common hanzi; real city and firm names are). Latin-1 or cp1252
    bytes also decode as GB18030, but to rare characters outside GB2312."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    cjk = [c for c in non_ascii if _CJK.match(c)]
    common = 0
    for c in cjk:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return len(cjk) >= 0.8 * len(non_ascii) and common >= 0.9 * len(non_ascii)


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _check_text(text: str, name: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    pos = text.find("\ufeff")
    if pos >= 0:
        raise ValidationError([Problem(
            name, text.count("\n", 0, pos) + 1, None,
            "byte-order mark (U+FEFF) inside the file: files were probably concatenated; "
            "remove it (a BOM is accepted only at the very start)")])
    return text


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


def _read_rows(path: Path, *, sheet: str | None = None, max_rows: int | None = None,
               whitespace: bool = False) -> tuple[list[tuple[int, list]], dict]:
    """Rows as ``(line, cells)``; blank rows are dropped. Dispatch on extension."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_xlsx_rows(path, sheet=sheet, max_rows=max_rows)
    text, enc = read_text(path)
    meta = {"encoding": enc, "kind": "text"}
    comments = ("#", "%") if whitespace else ()  # triples files may carry comment lines
    first = next((ln for ln in text.splitlines()
                  if ln.strip() and not (comments and ln.lstrip().startswith(comments))), "")
    delim = sniff_delimiter(first)
    rows: list[tuple[int, list]] = []
    if delim is None and whitespace:
        meta["delimiter"] = "whitespace"
        for i, ln in enumerate(text.splitlines(), 1):
            if ln.strip() and not ln.lstrip().startswith(("#", "%")):
                rows.append((i, _split_ws(ln, path.name, i)))
                if max_rows and len(rows) >= max_rows:
                    break
        return rows, meta
    meta["delimiter"] = delim or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim or ",", strict=True)
    prev_end = 0
    try:
        for cells in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            row = [_intern(c.strip()) or None for c in cells]  # repeated ids/years share one str
            if not any(row):
                continue
            if comments and row[0] and row[0].startswith(comments):
                continue
            rows.append((start, row))
            if max_rows and len(rows) >= max_rows:
                break
    except csv.Error as e:
        raise ValidationError([Problem(path.name, prev_end + 1, None, f"broken CSV: {e}")]) from None
    return rows, meta


def _split_ws(line: str, name: str, lineno: int) -> list[str]:
    out = []
    for m in re.finditer(r'"([^"]*)"|(\S+)', line):
        tok = m.group(1) if m.group(1) is not None else m.group(2)
        if tok.startswith('"'):
            raise ValidationError([Problem(name, lineno, None, "unterminated double quote")])
        out.append(tok)
    return out


def check_zip(path: Path, limit: int | None = None) -> None:
    """Zip-bomb guard for xlsx: declared uncompressed sizes vs a limit (2x the file-size limit)
    and the compression ratio of big members vs :data:`MAX_ZIP_RATIO`. Reads only the central
    directory."""
    name = path.name
    limit = 2 * max_file_bytes() if limit is None else limit
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
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


def _read_xlsx_rows(path: Path, *, sheet: str | None = None,
                    max_rows: int | None = None) -> tuple[list[tuple[int, list]], dict]:
    import warnings

    import openpyxl

    name = path.name
    check_size(path)
    check_zip(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for corrupt files
        raise ValidationError([Problem(name, None, None, f"cannot open the workbook: {e}")]) from None
    try:
        names = wb.sheetnames
        if sheet is None:
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
        merged = _merged_ranges(wb, ws)
        if merged:
            shown = ", ".join(merged[:10]) + (" ..." if len(merged) > 10 else "")
            first_row = int(re.search(r"\d+", merged[0]).group())
            raise ValidationError([Problem(
                name, first_row, None,
                f"sheet {sheet!r} has merged cells ({shown}): unmerge them so every row holds "
                "its own values")])
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # do not trust a stale <dimension>
        rows = []
        r = 0
        try:
            for r, values in enumerate(ws.iter_rows(min_row=1, values_only=True), 1):
                cells = [_cell_str(v) for v in values]
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    rows.append((r, cells))
                    if max_rows and len(rows) >= max_rows:
                        break
        except Exception as e:  # corrupt XML, bad CRC, truncated member, ...
            raise ValidationError([Problem(name, r + 1 if r else None, None,
                                           f"cannot read sheet {sheet!r}: {e}")]) from None
        return rows, {"sheet": sheet, "kind": "xlsx"}
    except (ValidationError, KeyError, OSError, zipfile.BadZipFile) as e:
        if isinstance(e, ValidationError):
            raise
        raise ValidationError([Problem(name, None, None, f"cannot read the workbook: {e}")]) from None
    finally:
        wb.close()


def _merged_ranges(wb, ws) -> list[str]:
    """Merged ranges of a read-only sheet, from ``<mergeCell ref=...>`` in its XML (streamed in
    chunks: openpyxl's read-only mode does not expose them)."""
    member = getattr(ws, "_worksheet_path", None)
    if member is None:
        return []
    pat = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
    found: list[str] = []
    tail = b""
    with wb._archive.open(member) as src:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            buf = tail + chunk
            for m in pat.finditer(buf):
                ref = m.group(1).decode()
                if ref not in found:
                    found.append(ref)
            tail = buf[-200:]
    return found


def _cell_str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    s = str(v).strip()
    return s or None


# ---------------------------------------------------------------------------------------------
# triples
# ---------------------------------------------------------------------------------------------

def _read_triples(path: Path, *, directed: bool | None, sheet: str | None) -> tuple[pd.DataFrame, bool]:
    name = path.name
    rows, meta = _read_rows(path, sheet=sheet, whitespace=True)
    if not rows:
        raise ValidationError([Problem(name, None, None, "the file is empty")])
    start = 0
    first = rows[0][1]
    if len(first) >= 3 and not _is_number(first[2] or ""):
        start = 1  # a header: node, partner, frequency (any names)
    elif len(first) == 2 and not _is_number(first[1] or "") and _names_edge_columns(first):
        start = 1
    problems: list[Problem] = []
    src, dst, w, yr, lines = [], [], [], [], []
    for line, cells in rows[start:]:
        cells = [c for c in cells]
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if len(cells) < 2 or len(cells) > 4:
            problems.append(Problem(name, line, None,
                                    f"expected node, partner, frequency (3 values), found {len(cells)}"))
            continue
        a, b = cells[0], cells[1]
        if a in (None, "") or b in (None, ""):
            problems.append(Problem(name, line, "1" if a in (None, "") else "2", "empty node name"))
            continue
        weight = 1.0
        if len(cells) >= 3:
            weight = _to_float(cells[2])
            if weight is None:
                problems.append(Problem(name, line, "3", f"frequency {cells[2]!r} is not a number"))
                continue
        year = 0
        if len(cells) == 4:
            y = _to_float(cells[3])
            if y is None or not float(y).is_integer():
                problems.append(Problem(name, line, "4", f"year {cells[3]!r} is not an integer"))
                continue
            year = int(y)
        src.append(str(a))
        dst.append(str(b))
        w.append(weight)
        yr.append(year)
        lines.append(line)
        if len(problems) > 500:
            break
    if problems:
        raise ValidationError(problems)
    if not lines:
        raise ValidationError([Problem(name, rows[0][0], None, "no edges: only a header row")])
    df = pd.DataFrame({"source": pd.Series(src, dtype=object), "target": pd.Series(dst, dtype=object),
                       "weight": pd.Series(w, dtype="float64"), "year": pd.Series(yr, dtype="int64"),
                       "line": pd.Series(lines, dtype="int64")})
    df.attrs.update(meta)
    df.attrs["file"] = name
    return df, bool(directed) if directed is not None else False


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
    if s is None:
        return None
    try:
        return float(str(s).replace("_", "x"))
    except ValueError:
        return None


def _show_delim(d: str | None) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "whitespace": "whitespace"}.get(d or "", repr(d))
