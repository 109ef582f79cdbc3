"""Cells that a spreadsheet will not run: CSV / formula injection on export (OWASP).

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``-2+cmd|' /C calc'!A0`` runs a program through DDE in older Excel), and a leading tab or
carriage return can hide such a start. OWASP's rule ("CSV Injection", owasp.org/www-community/
attacks/CSV_Injection) is to prefix such a cell with a single quote, which makes it text. Every CSV
and XLSX file cultnet writes (``cultnet export --format csv``, the explorer's table downloads,
reports) passes its cells through this module; it needs neither a database nor Streamlit.

* :func:`neutralize_cell` applies the rule to one value. It also covers the full-width forms of
  the four characters (``＝ ＋ － ＠``, U+FF1D, U+FF0B, U+FF0D, U+FF20), which some spreadsheet
  programs and East Asian input methods turn into the ASCII ones. Numbers stay numbers: a
  ``float``/``int`` is returned as it is, and so is text that is a plain decimal number
  (``-2.5``, ``+3``, ``1e-4``), which no spreadsheet evaluates as anything but that number.
* :func:`neutralize_frame` applies it to every cell, to the column names and to the index.
* :func:`write_xlsx` writes a frame as an XLSX workbook whose text cells are never formulas
  (openpyxl would otherwise store any string starting with ``=`` as a formula): a neutralized
  cell is stored as text with Excel's *quote prefix*, so it shows without the apostrophe.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (or hide one).
TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

__all__ = ["TRIGGERS", "is_risky", "neutralize_cell", "neutralize_frame", "write_xlsx", "xlsx_bytes"]


def is_risky(value: Any) -> bool:
    """True for text a spreadsheet could evaluate as a formula (see the module docstring).

    >>> [is_risky(v) for v in ["=1+1", "-2+cmd|' /C calc'!A0", "@SUM(A1)", "\\t=x", "-2.5", "Dalian", 3]]
    [True, True, True, True, False, False, False]
    """
    return (isinstance(value, str) and bool(value) and value[0] in TRIGGERS
            and not _NUMBER.fullmatch(value))


def neutralize_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when a spreadsheet could read it as a formula; any other
    value (numbers, dates, ``None``, ordinary text) unchanged.

    >>> neutralize_cell("=HYPERLINK(\\"http://x\\")"), neutralize_cell("＋1"), neutralize_cell(-2.5)
    ('\\'=HYPERLINK("http://x")', "'＋1", -2.5)
    """
    return "'" + value if is_risky(value) else value


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`neutralize_cell` applied to every cell, the column names
    and the index labels. Numeric columns are returned unchanged (and keep their dtype)."""
    out = frame.copy()
    for i, col in enumerate(out.columns):
        s = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s)):
            out.isetitem(i, s.map(neutralize_cell))
    out.columns = _neutral_labels(out.columns)
    out.index = _neutral_labels(out.index)
    return out


def _neutral_labels(labels: pd.Index) -> pd.Index:
    if isinstance(labels, pd.MultiIndex):
        return pd.MultiIndex.from_tuples([tuple(neutralize_cell(x) for x in t) for t in labels],
                                         names=[neutralize_cell(n) for n in labels.names])
    if not any(is_risky(x) for x in labels) and not is_risky(labels.name):
        return labels
    return pd.Index([neutralize_cell(x) for x in labels], name=neutralize_cell(labels.name))


def write_xlsx(frame: pd.DataFrame, target: str | Path | io.BytesIO, *, sheet: str = "table",
               index: bool = False) -> None:
    """Write ``frame`` as an XLSX workbook in which no cell is a formula.

    Cells that :func:`is_risky` flags (values, column names, index labels) are stored as text
    with Excel's quote prefix: they show as written, without an apostrophe, and are never
    evaluated. Numbers stay numeric cells.
    """
    from openpyxl.cell.cell import TYPE_STRING

    with pd.ExcelWriter(target, engine="openpyxl") as xw:
        name = (sheet or "table")[:31]
        frame.to_excel(xw, index=index, sheet_name=name)
        ws = xw.sheets[name]
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and (is_risky(v) or cell.data_type == "f"):
                    cell.value = v
                    cell.data_type = TYPE_STRING  # openpyxl made it a formula ("f")
                    cell.quotePrefix = True


def xlsx_bytes(frame: pd.DataFrame, *, sheet: str = "table", index: bool = False) -> bytes:
    """:func:`write_xlsx` into memory."""
    buf = io.BytesIO()
    write_xlsx(frame, buf, sheet=sheet, index=index)
    return buf.getvalue()
