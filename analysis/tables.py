"""Publication-style regression tables: several fits side by side, like the paper's Tables 2-4.

Each model gets three columns, ``Coef`` (with significance stars), the test statistic (``t``/``z``,
or the standard error with ``stat="se"``) and ``P``; rows are the terms (constant first, labelled
"Constant") followed by a fit block (R² within/between/overall, F or Wald χ², its P, N, groups).
When a model's p-values come from the wild cluster bootstrap a fourth column ``P boot`` is added
and the stars follow it (``P`` stays the analytic t(G − 1) p-value). A test the sample cannot
support shows ``.`` (Stata's convention) and its reason is in the notes under the table, with the
inference convention and any absorbed or collinear regressor (``RegressionTable.notes``).
Stars: ``***`` p < 0.01, ``**`` p < 0.05, ``*`` p < 0.1 (the usual Stata/esttab convention).

Any result object with a ``coefficients`` DataFrame (index term; columns estimate, std_error,
statistic, p_value) and a ``fit_stats()`` dict can be tabulated (panel, spatial and panel VAR
results all qualify).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

__all__ = ["RegressionTable", "regression_table", "stars", "render_text", "to_latex", "to_csv"]

STAR_LEVELS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))


def stars(p: float) -> str:
    """Significance stars for a p-value.

    >>> stars(0.004), stars(0.03), stars(0.07), stars(0.5)
    ('***', '**', '*', '')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    for level, s in STAR_LEVELS:
        if p < level:
            return s
    return ""


@dataclass(frozen=True)
class RegressionTable:
    """A side-by-side table. ``display`` is the formatted paper-style frame (strings);
    ``numeric`` the tidy long frame (model, term, estimate, std_error, statistic, p_value, stars)
    plus the fit block (model, stat, value)."""

    display: pd.DataFrame
    numeric: pd.DataFrame
    fit: pd.DataFrame
    title: str = ""
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.display

    def __str__(self) -> str:
        return render_text(self, title=self.title, footer="\n".join(self.notes))


def _fmt(v: Any, digits: int) -> str:
    if v is None:
        return ""
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return str(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(f):
        return ""
    if f.is_integer() and abs(f) >= 1000:
        return f"{int(f)}"
    return f"{f:.{digits}f}"


def regression_table(results: Mapping[str, Any] | Sequence[Any], *, stat: str = "statistic",
                     digits: int = 3, term_labels: Mapping[str, str] | None = None,
                     title: str = "") -> RegressionTable:
    """Build a side-by-side table of fitted models.

    Parameters
    ----------
    results : mapping label -> result, or a sequence (labels "(1)", "(2)", ...).
    stat : ``"statistic"`` (t or z, as the paper) or ``"se"`` (standard errors).
    term_labels : optional renaming of terms for display, e.g. {"ln_dig": "Digital technology"}.
    """
    if not isinstance(results, Mapping):
        results = {f"({i + 1})": r for i, r in enumerate(results)}
    term_labels = dict(term_labels or {})
    term_labels.setdefault("const", "Constant")
    terms: list[str] = []
    for r in results.values():
        for t in r.coefficients.index:
            if t not in terms:
                terms.append(t)
    if "const" in terms:
        terms.remove("const")
        terms.insert(0, "const")
    cols, num_rows, fit_rows = {}, [], []
    fit_keys: list[str] = []
    for r in results.values():
        for key in r.fit_stats():
            if key not in fit_keys:
                fit_keys.append(key)
    row_index = [term_labels.get(t, t) for t in terms] + fit_keys
    notes: list[str] = []
    for label, r in results.items():
        sname = getattr(r, "stat_name", "t") if stat == "statistic" else "SE"
        boot = "boot_p_value" in r.coefficients.columns
        c_coef, c_stat, c_p, c_b = [], [], [], []
        for t in terms:
            if t in r.coefficients.index:
                row = r.coefficients.loc[t]
                bp = float(row["boot_p_value"]) if boot else float("nan")
                s = stars(bp if boot and not math.isnan(bp) else float(row["p_value"]))
                c_coef.append(f"{float(row['estimate']):.{digits + 1}f}{s}")
                val = row["statistic"] if stat == "statistic" else row["std_error"]
                c_stat.append(f"{float(val):.{digits}f}")
                c_p.append(f"{float(row['p_value']):.{digits}f}")
                c_b.append("" if math.isnan(bp) else f"{bp:.{digits}f}")
                rec = {"model": label, "term": t, "estimate": float(row["estimate"]),
                       "std_error": float(row["std_error"]), "statistic": float(row["statistic"]),
                       "p_value": float(row["p_value"]), "stars": s}
                if boot:
                    rec.update(boot_p_value=bp, boot_ci_low=float(row["boot_ci_low"]),
                               boot_ci_high=float(row["boot_ci_high"]))
                num_rows.append(rec)
            else:
                c_coef.append(""), c_stat.append(""), c_p.append(""), c_b.append("")
        fs = r.fit_stats()
        for key in fit_keys:
            v = fs.get(key)
            c_coef.append(_fmt(v, digits)), c_stat.append(""), c_p.append(""), c_b.append("")
            fit_rows.append({"model": label, "stat": key, "value": v})
        cols[(label, "Coef")] = c_coef
        cols[(label, sname)] = c_stat
        cols[(label, "P")] = c_p
        if boot:
            cols[(label, "P boot")] = c_b
        foot = r.footnotes() if hasattr(r, "footnotes") else []
        for line in foot:
            line = line if len(results) == 1 else f"[{label}] {line}"
            if line not in notes:
                notes.append(line)
    display = pd.DataFrame(cols, index=pd.Index(row_index, name="")).astype(object)
    display.columns = pd.MultiIndex.from_tuples(display.columns)
    if any("boot_p_value" in r.coefficients.columns for r in results.values()):
        notes.insert(0, "P: analytic p-value; P boot: wild cluster bootstrap p-value (stars follow P boot)")
    return RegressionTable(display=display, numeric=pd.DataFrame(num_rows), fit=pd.DataFrame(fit_rows), title=title,
                           notes=tuple(notes))


def render_text(table: RegressionTable, title: str = "", footer: str = "") -> str:
    """Plain-text rendering (monospace), with the star legend underneath."""
    d = table.display
    header1 = [""] + [m for m, _ in d.columns]
    header2 = [""] + [s for _, s in d.columns]
    rows = [[str(i)] + [str(v) for v in d.loc[i].tolist()] if not isinstance(d.loc[i], pd.DataFrame)
            else [str(i)] + [str(v) for v in d.loc[i].iloc[0].tolist()] for i in d.index]
    # collapse repeated model names in header 1
    h1, prev = [], None
    for m in header1:
        h1.append("" if m == prev else m)
        prev = m
    allrows = [h1, header2, *rows]
    widths = [max(len(r[j]) for r in allrows) for j in range(len(header1))]
    line = "-" * (sum(widths) + 2 * (len(widths) - 1))
    out = []
    if title or table.title:
        out.append(title or table.title)
    out.append(line)
    for n, r in enumerate(allrows):
        out.append("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(r)))
        if n == 1:
            out.append(line)
    out.append(line)
    out.append("*** p<0.01, ** p<0.05, * p<0.1")
    if footer:
        out.append(footer)
    elif table.notes:
        out.extend(table.notes)
    return "\n".join(out)


def _latex_escape(s: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#"),
                 ("$", r"\$")):
        s = s.replace(a, b)
    s = s.replace("²", "$^2$").replace("χ", r"$\chi$")
    return s


def to_latex(table: RegressionTable, *, caption: str = "", label: str = "") -> str:
    """A booktabs ``tabular`` (stars as ``^{***}``) as text; the caller writes it (analysis/ does no I/O)."""
    d = table.display
    models = list(dict.fromkeys(m for m, _ in d.columns))
    ncol = len(d.columns)
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if caption:
        lines.append(rf"\caption{{{_latex_escape(caption)}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines.append(r"\begin{tabular}{l" + "r" * ncol + "}")
    lines.append(r"\toprule")
    width = {m: sum(1 for mm, _ in d.columns if mm == m) for m in models}
    lines.append(" & " + " & ".join(rf"\multicolumn{{{width[m]}}}{{c}}{{{_latex_escape(str(m))}}}" for m in models) + r" \\")
    lines.append(" & " + " & ".join(_latex_escape(str(s)) for _, s in d.columns) + r" \\")
    lines.append(r"\midrule")
    n_terms = len(table.numeric["term"].unique()) if len(table.numeric) else 0
    for i, idx in enumerate(d.index):
        cells = []
        for v in d.iloc[i].tolist():
            v = str(v)
            stripped = v.rstrip("*")
            nst = len(v) - len(stripped)
            cells.append(_latex_escape(stripped) + (f"$^{{{'*' * nst}}}$" if nst else ""))
        if i == n_terms:
            lines.append(r"\midrule")
        lines.append(_latex_escape(str(idx)) + " & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}",
              r"\par\footnotesize{$^{***}$ p$<$0.01, $^{**}$ p$<$0.05, $^{*}$ p$<$0.1}"]
    lines += [r"\par\footnotesize{" + _latex_escape(n) + "}" for n in table.notes]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def to_csv(table: RegressionTable, *, numeric: bool = False) -> str:
    """CSV of the display table (two header rows: model, column), or of the tidy numbers."""
    if numeric:
        fit = table.fit.rename(columns={"stat": "term", "value": "estimate"}).assign(kind="fit")
        if len(fit):   # text cells of the fit block ('.', d.f. such as "2, 9") go to their own column
            as_num = pd.to_numeric(fit["estimate"], errors="coerce")
            fit["text"] = fit["estimate"].where(as_num.isna() & fit["estimate"].notna())
            fit["estimate"] = as_num
        frame = pd.concat([table.numeric.assign(kind="coef"), fit], ignore_index=True)
        text = frame.to_csv(index=False)
    else:
        text = table.display.to_csv()
    return text
