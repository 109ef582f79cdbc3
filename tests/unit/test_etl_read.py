"""cultnet.etl.read: encodings, delimiters, line numbers, size guard, XLSX sheets / merged cells / zip bombs,
triples and format inference. Expected values are written out by hand from the small inputs."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import openpyxl
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
