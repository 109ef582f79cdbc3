"""Cell values: cleaning, numbers, and the rules for text (formulas, invisible characters).

Shared by the readers (:mod:`cultnet.etl.read`, :mod:`cultnet.etl.pajek`) and the validators
(:mod:`cultnet.etl.validate`). Documented in docs/data-formats.md ("Checks").

Text cells are trimmed and put in Unicode normal form NFC (so that ``Zürich`` typed with a
combining diaeresis and with a precomposed ``ü`` is one name). A text cell is refused when

* a spreadsheet would run it as a formula (:func:`looks_like_formula`): it starts with ``=`` or
  ``@``, or with ``+`` or ``-`` without being a number or a phone-like number;
* it holds a control character (C0 other than tab, DEL, C1), or an invisible or
  direction-changing character: format characters (Unicode category Cf: zero-width space and
  joiners, word joiner, soft hyphen, bidi embeddings, overrides and isolates, byte-order mark,
  ...), line and paragraph separators (U+2028, U+2029), private-use code points, variation
  selectors, the combining grapheme joiner and the Hangul fillers (:func:`invisible_char`).

Numbers are written with ASCII digits; ``1_000``, ``１２`` (full-width) or ``١٢`` (Arabic-Indic) are
not numbers (the message says so).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Sequence

import numpy as np
import pandas as pd

#: Cells that mean "no value" in number columns (compared in lower case).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})

_SIGNED_OK = re.compile(r"[+-]\s*(?:\d[\d\s.,/()\-]*|\.\d+)(?:[eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})


def clean(s: Any) -> str | None:
    """A cell as text: trimmed, NFC, ``None`` when empty.

    >>> clean("  Zu\\u0308rich "), clean("  "), clean(None)
    ('Zürich', None, None)
    """
    if s is None:
        return None
    s = str(s).strip()
    if not s:
        return None
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    return s


def looks_like_formula(s: str) -> bool:
    """True for text a spreadsheet would run as a formula (OWASP "CSV injection").

    Refused: a cell starting with ``=`` or ``@``; a cell starting with ``+`` or ``-`` unless it
    is a number or a phone-like number (after the sign only digits, spaces and ``. , / ( ) -``,
    optionally an exponent). Leading spaces do not matter.

    >>> [looks_like_formula(s) for s in ("=1+2", "@SUM(A1)", "-2+cmd|' /C calc'!A0", "+(1)")]
    [True, True, True, True]
    >>> [looks_like_formula(s) for s in ("-3", "+86 24 1234 5678", "-1.5e3", "a=b", "沈阳")]
    [False, False, False, False, False]
    """
    s = str(s).lstrip()
    if not s:
        return False
    c = s[0]
    if c in "=@":
        return True
    if c in "+-":
        if not s.strip("+- "):
            return False  # "-", "--": a dash, not a formula
        return not _SIGNED_OK.fullmatch(s)
    return False


def invisible_char(s: str) -> str | None:
    """The first control, invisible or bidi-control character of ``s``, described, or None.

    >>> invisible_char("Dalian\\u200b"), invisible_char("Dalian"), invisible_char("a\\x85b")
    ('U+200B (ZERO WIDTH SPACE)', None, 'U+0085 (a C1 control character)')
    """
    m = _CONTROL.search(s)
    if m:
        ch = m.group()
        what = "a C1 control character" if ord(ch) >= 0x80 else "a control character"
        return f"U+{ord(ch):04X} ({what})"
    if s.isascii():
        return None
    for ch in s:
        if ord(ch) < 0xA0:
            continue
        if (ch in _INVISIBLE_EXTRA or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
                or 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF):
            return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})"
    return None


def text_reason(s: str) -> str | None:
    """Why a (cleaned) text value is refused, or None: the tail of a message."""
    if looks_like_formula(s):
        return ("looks like a spreadsheet formula; formulas are not accepted in text fields "
                "(formula injection)")
    ch = invisible_char(s)
    if ch is not None:
        return f"contains an invisible or control character {ch}; remove it"
    return None


def parse_number(v: Any) -> float | None:
    """``float`` of a cell written with ASCII digits, or ``None``. NaN/inf are returned as such.

    >>> parse_number("1e3"), parse_number("x"), parse_number(" 2 "), parse_number("１２"), parse_number("1_0")
    (1000.0, None, 2.0, None, None)
    """
    if v is None:
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    s = str(v).strip()
    if not s or "_" in s or not s.isascii():
        return None
    try:
        return float(s)
    except ValueError:
        return None


def is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip().lower() in MISSING_TOKENS


def numbers(values: Sequence | pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of cells: ``(x, missing, bad)``.

    ``x`` is float64 (NaN where missing or bad), ``missing`` marks empty / NA / nan cells,
    ``bad`` cells that are not numbers. Each distinct value is parsed once.

    >>> x, m, b = numbers(["1", None, "na", "x", "1"])
    >>> x.tolist()[:1], m.tolist(), b.tolist()
    ([1.0], [False, True, True, False, False], [False, False, False, True, False])
    """
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    n = len(uniques)
    ux = np.full(n + 1, math.nan)
    umiss = np.zeros(n + 1, dtype=bool)
    ubad = np.zeros(n + 1, dtype=bool)
    umiss[n] = True  # codes == -1 (None) index the extra last slot
    for k, u in enumerate(uniques):
        if isinstance(u, str) and u.strip().lower() in MISSING_TOKENS:
            umiss[k] = True
            continue
        x = parse_number(u)
        if x is None:
            ubad[k] = True
        else:
            ux[k] = x
    idx = np.where(codes < 0, n, codes)
    return ux[idx], umiss[idx], ubad[idx]


def number_hint(v: Any) -> str:
    """Extra words for a value that is not a number (non-ASCII digits, digit separators)."""
    s = str(v)
    if any(ch.isdigit() and not ch.isascii() for ch in s):
        ascii_digits = "".join(str(unicodedata.digit(ch, "")) if ch.isdigit() else ch for ch in s)
        return f" (digits must be ASCII 0-9: write {ascii_digits!r})"
    if "_" in s:
        return " (no _ separators)"
    return ""


def short(v: Any, n: int = 40) -> str:
    s = str(v)
    return repr(s if len(s) <= n else s[:n] + "...")
