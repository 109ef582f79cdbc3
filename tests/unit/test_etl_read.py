"""cultnet.etl.read: encodings, delimiters, line numbers, size guard, XLSX sheets / merged cells / zip bombs,
triples and format inference. Expected values are written out by hand from the small inputs."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cultnet.errors import ValidationError
from cultnet.etl.read import (check_zip, decode_bytes, infer_edge_format, read_edge_file, read_table,
                      sniff_delimiter)

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


def problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(data, bytes):
        p.write_bytes(data)
    else:
        p.write_text(data, encoding="utf-8", newline="")
    return p


# -- encodings -------------------------------------------------------------------------------

CITY = "name,name_zh\nShenyang,沈阳\nDalian,大连\n"


@pytest.mark.parametrize("data, encoding", [
    (CITY.encode("utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + CITY.encode("utf-8"), "UTF-8 with BOM"),
    (CITY.encode("gbk"), "GB18030"),
    (CITY.encode("gb18030"), "GB18030"),
    (CITY.encode("utf-16"), "UTF-16 (BOM)"),
])
def test_accepted_encodings_give_the_same_rows(tmp_path, data, encoding):
    df = read_table(write(tmp_path, "c.csv", data))
    assert df.attrs["encoding"] == encoding
    assert list(df.columns) == ["name", "name_zh", "line"]
    assert df[["name", "name_zh"]].values.tolist() == [["Shenyang", "沈阳"], ["Dalian", "大连"]]
    assert df["line"].tolist() == [2, 3]


@pytest.mark.parametrize("data, line, words", [
    ("name\nZürich\n".encode("cp1252"), 2, "neither UTF-8 nor Chinese"),
    ("name\n沈阳\n".encode() + "大连\n".encode("gbk"), 3, "mixed encodings: line 2 is UTF-8"),
    (b"\xef\xbb\xbfname\nA\n\xef\xbb\xbfB\n", 3, "byte-order mark (U+FEFF) inside"),
    ("name\nA\n".encode("utf-16-le"), 1, "NUL byte"),
    ("name\n沈阳\n".encode("gbk") + b"\x81\x20\n", 3, "GBK/GB18030 up to here"),
    (b"\xef\xbb\xbfname\n\xc4\xe3\n", 2, "UTF-8 byte-order mark"),
])
def test_refused_encodings_name_the_line(tmp_path, data, line, words):
    with pytest.raises(ValidationError) as e:
        read_table(write(tmp_path, "bad.csv", data))
    (p,) = e.value.problems
    assert (p.file, p.line) == ("bad.csv", line)
    assert words in p.reason


def test_zip_renamed_csv_is_named_as_such():
    with pytest.raises(ValidationError) as e:
        decode_bytes(b"PK\x03\x04rest", "x.csv")
    assert "zip file" in e.value.problems[0].reason


# -- delimiters and line numbers -------------------------------------------------------------

@pytest.mark.parametrize("delim", [",", ";", "\t"])
def test_delimiter_sniffing(tmp_path, delim):
    text = delim.join(["name", "lat", "lon"]) + "\n" + delim.join(["A", "1.5", "2"]) + "\n"
    df = read_table(write(tmp_path, "c.csv", text))
    assert df.attrs["delimiter"] == delim
    assert df[["name", "lat", "lon"]].values.tolist() == [["A", "1.5", "2"]]


def test_sniff_ignores_delimiters_inside_quotes():
    assert sniff_delimiter('"a,b,c";d') == ";"
    assert sniff_delimiter("one") is None


def test_physical_line_numbers_survive_quoted_newlines_blank_lines_and_crlf(tmp_path):
    text = 'name,note\r\nA,"two\r\nlines"\r\n\r\nB,x\r\n'
    df = read_table(write(tmp_path, "c.csv", text))
    assert df["name"].tolist() == ["A", "B"]
    assert df["note"].tolist() == ["two\r\nlines", "x"]
    assert df["line"].tolist() == [2, 5]


def test_header_required_and_rows_must_match_it(tmp_path):
    with pytest.raises(ValidationError) as e:
        read_table(write(tmp_path, "n.csv", "1.0,2.0\n3,4\n"))
    assert "no header row" in problems(e)[0]
    with pytest.raises(ValidationError) as e:
        read_table(write(tmp_path, "w.csv", "a;b;c\n1,2,3\nx;y\n"))
    assert problems(e) == ["w.csv:2: 1 field(s) but the header has 3 (delimiter semicolon)",
                           "w.csv:3: 2 field(s) but the header has 3 (delimiter semicolon)"]


def test_empty_and_header_only(tmp_path):
    with pytest.raises(ValidationError) as e:
        read_table(write(tmp_path, "e.csv", ""))
    assert problems(e) == ["e.csv: the file is empty (no header row)"]
    df = read_table(write(tmp_path, "h.csv", "name,lat\n"))
    assert len(df) == 0 and list(df.columns) == ["name", "lat", "line"]


# -- size guard ------------------------------------------------------------------------------

def test_size_guard_refuses_before_reading(tmp_path, monkeypatch):
    p = tmp_path / "big.csv"
    with open(p, "wb") as f:  # sparse: 200 MB of nothing, instant
        f.truncate(200 * 2**20)
    t0 = time.perf_counter()
    with pytest.raises(ValidationError) as e:
        read_table(p)
    assert time.perf_counter() - t0 < 0.5
    assert problems(e) == ["big.csv: file is 200.0 MB, above the limit of 100 MB (set "
                           "CULTNET_MAX_FILE_MB to raise it); nothing was read"]
    monkeypatch.setenv("CULTNET_MAX_FILE_MB", "0.001")  # ~1 KB
    small = write(tmp_path, "s.csv", "name\n" + "x\n" * 1000)
    with pytest.raises(ValidationError) as e:
        read_table(small)
    assert "above the limit of 0 MB" in problems(e)[0]


# -- xlsx ------------------------------------------------------------------------------------

def _book(path: Path, sheets: dict[str, list[list]], merge: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
    wb.save(path)
    return path


def test_xlsx_rows_are_sheet_rows(tmp_path):
    p = _book(tmp_path / "c.xlsx", {"only": [["name", "lat"], ["A", 41.5], [], [None, None], ["B", 2015]]})
    df = read_table(p)
    assert df[["name", "lat"]].values.tolist() == [["A", "41.5"], ["B", "2015"]]
    assert df["line"].tolist() == [2, 5]
    assert df.attrs["sheet"] == "only"


def test_xlsx_several_sheets_need_a_choice(tmp_path):
    p = _book(tmp_path / "m.xlsx", {"a": [["name"], ["x"]], "b": [["name"], ["y"]]})
    with pytest.raises(ValidationError) as e:
        read_table(p)
    assert problems(e) == ["m.xlsx: the workbook has 2 sheets ('a', 'b'): choose one with --sheet"]
    assert read_table(p, sheet="b")["name"].tolist() == ["y"]
    with pytest.raises(ValidationError) as e:
        read_table(p, sheet="c")
    assert "no sheet 'c'; the sheets are 'a', 'b'" in problems(e)[0]


def test_xlsx_merged_cells_are_named(tmp_path):
    p = _book(tmp_path / "mg.xlsx", {"s": [["name", "lat"], ["A", 1], ["B", 2], [None, 3]]}, merge="A3:A4")
    with pytest.raises(ValidationError) as e:
        read_table(p)
    (pr,) = e.value.problems
    assert pr.line == 3 and "merged cells (A3:A4)" in pr.reason


def _patch_declared_size(p: Path, member: str, size: int) -> None:
    data = bytearray(p.read_bytes())
    name = member.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + n] == name:
            data[pos + 24:pos + 28] = size.to_bytes(4, "little")
        pos = data.find(b"PK\x01\x02", pos + 4)
    p.write_bytes(bytes(data))


def test_zip_bomb_by_declared_size_is_refused_before_opening(tmp_path):
    p = _book(tmp_path / "b.xlsx", {"s": [["name"], ["x"]]})
    _patch_declared_size(p, "xl/worksheets/sheet1.xml", 4_000_000_000)
    with pytest.raises(ValidationError) as e:
        read_table(p)
    assert "would inflate to 381" in problems(e)[0] and "zip bomb" in problems(e)[0]


def test_zip_bomb_by_ratio(tmp_path):
    p = tmp_path / "r.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (12 * 2**20 // 6))
    with pytest.raises(ValidationError) as e:
        check_zip(p)
    assert "inflates" in problems(e)[0] and "-fold" in problems(e)[0]


def test_not_a_zip_xlsx(tmp_path):
    with pytest.raises(ValidationError) as e:
        read_table(write(tmp_path, "x.xlsx", "name\nA\n"))
    assert "not a valid .xlsx file" in problems(e)[0]


# -- edge files ------------------------------------------------------------------------------

def test_triples_with_and_without_header_whitespace_and_csv(tmp_path):
    for name, text in [("a.txt", "E1 E2 3\nE2 E3 1.5\n"),
                       ("b.txt", "node partner frequency\nE1 E2 3\nE2 E3 1.5\n"),
                       ("c.csv", "node,partner,frequency\nE1,E2,3\nE2,E3,1.5\n"),
                       ("d.csv", "E1;E2;3\nE2;E3;1.5\n")]:
        e, directed = read_edge_file(write(tmp_path, name, text))
        assert directed is False, name
        assert e[["source", "target", "weight", "year"]].values.tolist() == \
            [["E1", "E2", 3.0, 0], ["E2", "E3", 1.5, 0]], name
    e, directed = read_edge_file(write(tmp_path, "e.txt", "E1 E2 3\n"), directed=True)
    assert directed is True


def test_triples_bad_values(tmp_path):
    with pytest.raises(ValidationError) as e:
        read_edge_file(write(tmp_path, "t.txt", "a b 1\nc d x\ne\n"))
    assert problems(e) == ["t.txt:2:3: frequency 'x' is not a number",
                           "t.txt:3: expected node, partner, frequency (3 values), found 1"]


def test_csv_edges_with_aliases_are_directed_by_default(tmp_path):
    e, directed = read_edge_file(write(tmp_path, "e.csv", "From,To,Frequency,Year\nA,B,2,2015\nB,A,1,\n"))
    assert directed is True
    assert e[["source", "target", "weight", "year", "line"]].values.tolist() == \
        [["A", "B", 2.0, 2015, 2], ["B", "A", 1.0, 0, 3]]
    assert read_edge_file(tmp_path / "e.csv", directed=False)[1] is False


@pytest.mark.parametrize("name, text, fmt", [
    ("a.net", "*Vertices 1\n", "pajek"),
    ("a.txt", "% c\n*vertices 2\n", "pajek"),
    ("a.csv", "source,target\nA,B\n", "csv"),
    ("a.csv", "node,partner,frequency\nA,B,1\n", "triples"),
    ("a.csv", "A,B,1\n", "triples"),
    ("a.csv", "sorce,target,weight\nA,B,1\n", "csv"),  # misspelt: reported, not read as data
])
def test_infer_edge_format(tmp_path, name, text, fmt):
    assert infer_edge_format(write(tmp_path, name, text)) == fmt


def test_misspelt_edge_header_suggests_the_column(tmp_path):
    with pytest.raises(ValidationError) as e:
        read_edge_file(write(tmp_path, "e.csv", "sorce,target,weight\nA,B,1\n"))
    assert "missing column 'source'" in problems(e)[0] and "did you mean 'sorce'?" in problems(e)[0]


def test_good_corpus_variants_read_alike():
    base = read_table(GOOD / "cities_utf8_bom.csv")
    for f in ("cities_gbk.csv", "cities_utf16_bom.tsv", "cities_semicolon_crlf.csv"):
        df = read_table(GOOD / f)
        assert df.drop(columns="line").values.tolist() == base.drop(columns="line").values.tolist(), f


# -- issue 11 item 3: the hash describes the bytes that were parsed --------------------------------

def test_source_hashes_every_byte_it_hands_out(tmp_path):
    import hashlib

    from cultnet.etl.read import Source

    data = b"name,lat,lon\n" + b"".join(b"C%d,1,1\n" % k for k in range(300_000))
    p = write(tmp_path, "c.csv", data)
    src = Source(p)
    got = b"".join(src.chunks(size=65536))
    assert got == data and src.sha256 == hashlib.sha256(data).hexdigest()
    with pytest.raises(RuntimeError, match="read once"):
        next(src.chunks())


@pytest.mark.parametrize("role, make", [
    ("cities", lambda tag: "name,lat,lon\n" + "".join(f"{tag}{k},1,1\n" for k in range(2000))),
    ("edges", lambda tag: "*Vertices 3\n" + f'1 "{tag}1"\n2 "{tag}2"\n3 "{tag}3"\n*Arcs\n'
                          + "".join(f"{1 + k % 3} {1 + (k + 1) % 3} {k}\n" for k in range(3000))),
])
def test_replacing_the_file_while_it_is_read_never_mixes_hash_and_data(tmp_path, role, make):
    """A writer thread replaces the file every 2 ms with one of two contents; every load's
    dataset id and parsed rows describe the same content (the red team saw 7 of 15 mismatch)."""
    import threading

    from cultnet.etl.load import validate_files

    name = "f.net" if role == "edges" else "f.csv"
    versions = {}
    for tag in ("A", "B"):
        (tmp_path / tag).mkdir()
        p = write(tmp_path / tag, name, make(tag))
        b = validate_files(None, **{role: p})
        versions[tag] = (b.dataset_id, _parsed(b, role))
    assert versions["A"][0] != versions["B"][0]
    target = tmp_path / name
    target.write_text(make("A"))
    stop = threading.Event()
    swaps = [0]

    def writer():
        k = 0
        while not stop.is_set():
            tmp = tmp_path / f".{name}.{k % 2}"
            tmp.write_text(make("AB"[k % 2]))
            os.replace(tmp, target)
            swaps[0] += 1
            k += 1
            time.sleep(0.002)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    seen = []
    try:
        for _ in range(25):
            b = validate_files(None, **{role: target})
            seen.append((b.dataset_id, _parsed(b, role)))
    finally:
        stop.set()
        t.join()
    assert swaps[0] > 25
    assert all(s in versions.values() for s in seen), [s[0] for s in seen]


def _parsed(bundle, role):
    if role == "cities":
        return tuple(bundle.cities["name"])
    return tuple(map(tuple, bundle.city_links[["source", "target", "weight"]].values.tolist()))


# -- chunked reading keeps what the whole-file reader gave -----------------------------------

def test_chunks_cover_every_row_with_its_line(tmp_path):
    from cultnet.etl.read import TableReader

    rows = "".join(f"C{k},{k}\n" + ("\n" if k % 7 == 0 else "") for k in range(1000))
    t = TableReader(write(tmp_path, "c.csv", "name,x\n" + rows))
    chunks = list(t.chunks(rows=64))
    assert len(chunks) == 16 and all(len(c) <= 64 for c in chunks)
    df = pd.concat(chunks)
    assert df["name"].tolist() == [f"C{k}" for k in range(1000)]
    # line of row k: 2 + k + (blank lines after rows 0, 7, ... before it)
    assert df.index.tolist() == [2 + k + (k + 6) // 7 for k in range(1000)]


def test_line_ends_split_across_chunks(tmp_path):
    from cultnet.etl.read import Source, text_lines

    text = "a\r\nb\rc\n" * 5000
    lines = list(text_lines(Source(None, data=text.encode(), name="x.csv")))
    assert len(lines) == 15000 and lines[:3] == ["a\r\n", "b\r", "c\n"]
    src = Source(write(tmp_path, "x.csv", text.encode()))
    import cultnet.etl.read as R

    old = R.CHUNK_BYTES
    try:
        R.CHUNK_BYTES = 7  # every boundary position, \r\n split included
        assert list(text_lines(src)) == lines
    finally:
        R.CHUNK_BYTES = old


def test_gbk_after_ascii_lines_switches_encoding_mid_file(tmp_path):
    import cultnet.etl.read as R

    data = ("name,name_zh\n" + "A,x\n" * 50000).encode() + "Shenyang,沈阳\n".encode("gbk")
    old = R.CHUNK_BYTES
    try:
        R.CHUNK_BYTES = 4096
        df = read_table(write(tmp_path, "g.csv", data))
    finally:
        R.CHUNK_BYTES = old
    assert df.attrs["encoding"] == "GB18030" and df["name_zh"].tolist()[-1] == "沈阳"


def test_lines_are_counted_as_editors_count_them(tmp_path):
    # U+2028, U+2029, U+0085, \x0b and \x0c do not end a line (str.splitlines would split there)
    text = "name,note\nA,\"x\u2028y\"\nB,\"p\x0cq\"\nC,\"n\u0085m\"\nD,ok\n"
    df = read_table(write(tmp_path, "c.csv", text))
    assert df["line"].tolist() == [2, 3, 4, 5]


def test_too_many_columns_are_refused_before_the_header_is_split(tmp_path):
    p = write(tmp_path, "w.csv", ",".join(f"c{k}" for k in range(5000)) + "\n" + "1," * 4999 + "1\n")
    with pytest.raises(ValidationError) as e:
        read_table(p)
    assert problems(e) == ["w.csv:1: the header has 5,000 columns, above the limit of 1,000: is this the right "
                           "file (or the right delimiter)? Split a wide table, or give it in long format (one "
                           "row per city-year)"]


def test_xlsx_formula_without_saved_value_is_refused_naming_the_cell(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["city", "year", "gdp"])
    ws.append(["Shenyang", 2017, 1.5])
    ws.append(["Dalian", 2017, "=C2*2"])
    ws.append(["Anshan", 2017, '=IF(1,"","x")'])
    p = tmp_path / "f.xlsx"
    wb.save(p)
    with pytest.raises(ValidationError) as e:
        read_table(p)
    assert problems(e) == [
        "f.xlsx:3:gdp: cell C3 holds a formula (=C2*2) without a saved value: open the workbook in Excel or "
        "LibreOffice and save it (or paste the values) so that the value can be read",
        "f.xlsx:4:gdp: cell C4 holds a formula (=IF(1,\"\",\"x\")) without a saved value: open the workbook in "
        "Excel or LibreOffice and save it (or paste the values) so that the value can be read"]


def test_xlsx_formula_with_a_saved_value_is_read(tmp_path):
    p = _book(tmp_path / "v.xlsx", {"s": [["name", "x"], ["A", 1]]})
    # put a formula with a cached value in B2 by editing the sheet XML (what Excel writes)
    with zipfile.ZipFile(p) as z:
        items = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    items[sheet] = items[sheet].replace(b'<c r="B2" t="n"><v>1</v></c>', b'<c r="B2"><f>1+1</f><v>2</v></c>')
    assert b"<f>1+1</f>" in items[sheet]
    with zipfile.ZipFile(p, "w") as z:
        for n, d in items.items():
            z.writestr(n, d)
    assert read_table(p)[["name", "x"]].values.tolist() == [["A", "2"]]


def test_analysis_commands_can_tell_a_refusal_as_analysis_input(tmp_path):
    from cultnet.errors import analysis_input

    p = write(tmp_path, "e.csv", "source,target,weight\nA,B,often\n")
    with pytest.raises(ValidationError) as e:
        read_edge_file(p, context=analysis_input())
    assert e.value.user_message.startswith("1 problem(s) found in the analysis input; nothing was analysed.")
    with pytest.raises(ValidationError) as e:
        read_table(write(tmp_path, "p.csv", "region,year\nA\n"), context=analysis_input({"city": "--entity"}))
    assert "analysis input" in e.value.summary
