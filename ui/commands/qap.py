"""``cultnet qap``: QAP correlation and MRQAP on a study's city networks (issue 13).

The dependent network is one of the study's city networks (``--y gravity|cooperation|observed``,
0/1 ties unless ``--weighted``); the explanatory matrices are SPECs (``distance``,
``absdiff:COL``, ``product:COL``, ``ratio:COL``, ``same:COL``, ``network:METHOD``). Everything is
read through one study (``study_session``) and computed by :mod:`cultnet.analysis.qap`
(``study_dyads`` builds the matrices, ``study_qap`` runs the permutation tests): the explorer's
QAP page calls the same two functions. Conventions: docs/network.md, "QAP and MRQAP".
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import typer
from rich.table import Table

from cultnet.errors import CultnetError
from cultnet.ui.common import (STUDY_HELP, console, handle_errors, out, print_json, print_wide,
                               progress_bar, study_session, use_study, warn_if_simulated)

PLOT_FORMATS = (".png", ".svg")


def read_study() -> dict[str, Any]:
    """Everything QAP reads from one study (the store is closed before the permutations run)."""
    from cultnet.analysis.qap import Y_NETWORKS

    with study_session() as s:
        return {"study": s.name, "cities": s.cities(), "indicators": s.indicators(),
                "edges": s.edges("city"), "datasets": s.datasets(),
                "directions": {m: s.directed("city", m) for m in Y_NETWORKS},
                "simulated": bool(s.simulated())}


def _num(v: Any, spec: str = ".4g") -> str:
    if v is None:
        return "–"
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float):
        return "–" if not math.isfinite(v) else format(v, spec)
    return str(v)


def _p(v: Any) -> str:
    return _num(v, ".4f")


def correlation_table(c, title: str) -> Table:
    """The QAP correlation matrix: r with its permutation p-value under it."""
    t = Table(title=title, show_lines=True)
    t.add_column("")
    for v in c.variables:
        t.add_column(v, justify="right")
    for a in c.variables:
        cells = []
        for b in c.variables:
            if a == b:
                cells.append("1" if math.isfinite(c.r.loc[a, b]) else "–")
            else:
                cells.append(f"{_num(c.r.loc[a, b], '.3f')}\n[dim]p {_p(c.p_value.loc[a, b])}[/]")
        t.add_row(a, *cells)
    return t


def mrqap_table(r, title: str) -> Table:
    t = Table(title=title)
    stat = "z" if r.model == "logit" else "t"
    heads = [("term", "left"), ("b", "right"), ("std b", "right"), ("s.e.", "right"),
             (stat, "right"), ("p (perm)", "right"), ("prop ≥", "right"), ("prop ≤", "right"),
             ("p classical", "right")]
    for h, j in heads:
        t.add_column(h, justify=j)
    for term, row in r.table.iterrows():
        t.add_row(str(term), _num(row["estimate"]), _num(row["std_estimate"], ".3f"),
                  _num(row["std_error"]), _num(row["statistic"], ".3f"), _p(row["p_value"]),
                  _num(row["prop_ge"], ".3f"), _num(row["prop_le"], ".3f"), _p(row["p_classical"]))
    return t


def fit_line(r) -> str:
    f = r.fit
    if r.model == "ols":
        adj = _num(f["adj_r2"]) if not f.get("adj_r2_reason") else f"not reported ({f['adj_r2_reason']})"
        return (f"R² = {_num(f['r2'])}, adjusted R² = {adj}; df model {f['df_model']}, df resid "
                f"{f['df_resid']}; R² Y-permutation p = {_p(f['r2_p_value'])}")
    if f.get("reason"):
        return f"no fit reported: {f['reason']}"
    return (f"log-likelihood {_num(f['llf'])} (null {_num(f['llnull'])}), McFadden pseudo-R² = "
            f"{_num(f['pseudo_r2'])}, deviance {_num(f['deviance'])}, AIC {_num(f['aic'])}; "
            f"df model {f['df_model']}, df resid {f['df_resid']}")


def years_table(res) -> Table:
    """Per year: nodes, dyads, fit, and each term's coefficient and permutation p."""
    fit = res.fit().set_index("year")
    coef = res.coefficients()
    terms = [t for t in dict.fromkeys(coef["term"]) if t != "(intercept)"]
    ols = not res.logit
    t = Table(title="MRQAP by year (b = coefficient, p = permutation p-value)")
    for h in ["year", "nodes", "dyads", "R²" if ols else "pseudo-R²", *(["adj R²"] if ols else [])]:
        t.add_column(h, justify="right")
    for term in terms:
        t.add_column(f"{term}\nb", justify="right")
        t.add_column("p", justify="right")
    for yr in res.years:
        f = fit.loc[yr]
        c = coef[coef["year"] == yr].set_index("term")
        cells = [str(yr), str(int(f["n_nodes"])), str(int(f["n_dyads"]))]
        cells += [_num(f["r2"]), _num(f["adj_r2"])] if ols else [_num(f["pseudo_r2"])]
        for term in terms:
            cells += [_num(c.loc[term, "estimate"]), _p(c.loc[term, "p_value"])]
        t.add_row(*cells)
    return t


def write_plot(res, path: Path, *, study: str, simulated: bool) -> Path:
    """The coefficients over the years as PNG or SVG (ui.plots: kaleido, else matplotlib)."""
    from cultnet.ui import plots as P

    value = "estimate" if res.logit else "std_estimate"
    d = res.dyads
    title = (f"MRQAP of {d.y}{' (weights)' if d.weighted else ''}, study {study}<br><sup>"
             f"{'coefficients' if res.logit else 'standardized coefficients'} by year; "
             f"{res.method}, {res.perms} permutations, seed {res.seed}</sup>")
    fig = P.qap_coefficients_figure(res.coefficients(), value=value, title=title,
                                    simulated=simulated)
    path.write_bytes(P.figure_bytes(fig, path.suffix.lstrip(".").lower()))
    return path


def _print_notes(notes) -> None:
    for n in dict.fromkeys(notes):
        console.print(f"[yellow]note:[/] {n}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("qap")
    @handle_errors
    def qap_command(
        y: str = typer.Option("gravity", "--y", help="the dependent network: gravity | cooperation | observed"),
        x: str = typer.Option(..., "--x", help="explanatory matrices, comma-separated: distance, absdiff:COL, product:COL, ratio:COL, same:COL, network:METHOD"),
        year: Optional[int] = typer.Option(None, "--year", help="one year (default: every year of the network, a table per year)"),
        weighted: bool = typer.Option(False, "--weighted", help="networks (y and network:METHOD) with their weights (default: 0/1 ties)"),
        perms: int = typer.Option(2000, "--perms", help="random permutations (all n! when fewer)"),
        seed: int = typer.Option(0, "--seed", help="seed; each year draws its permutations from default_rng of the pair (seed, year)"),
        method: str = typer.Option("dsp", "--method", help="dsp (double semi-partialling) | y (Y-permutation) | x (X-permutation)"),
        logit: bool = typer.Option(False, "--logit", help="logistic MRQAP (y must be 0/1: no --weighted)"),
        statistic: str = typer.Option("t", "--statistic", help="permuted statistic: t (pivotal; z for logit) | coef"),
        plot: Optional[Path] = typer.Option(None, "--plot", help="write the coefficients over the years to FILE.png or FILE.svg"),
        study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP),
        as_json: bool = typer.Option(False, "--json", help="print JSON (schema cultnet.qap/1)"),
    ) -> None:
        """QAP correlation and MRQAP (Dekker-Krackhardt-Snijders) of a city network on dyadic predictors."""
        from cultnet.analysis.qap import parse_specs, study_dyads, study_qap

        problems = []
        if plot is not None and plot.suffix.lower() not in PLOT_FORMATS:
            problems.append(f"--plot {plot}: write a .png or .svg file")
        if plot is not None and not plot.resolve().parent.is_dir():
            problems.append(f"--plot {plot}: the folder {plot.resolve().parent} does not exist")
        if perms < 1:
            problems.append(f"--perms {perms}: give at least 1 permutation")
        if method not in ("dsp", "y", "x"):
            problems.append(f"--method {method!r}: use dsp, y or x")
        if logit and weighted:
            problems.append("--logit needs a 0/1 dependent network: drop --weighted")
        if statistic not in ("t", "z", "coef"):
            problems.append(f"--statistic {statistic!r}: use t or coef")
        try:
            specs = parse_specs(x)
        except CultnetError as e:
            problems.append(e.user_message)
        if problems:
            raise CultnetError("; ".join(problems))
        use_study(study)
        data = read_study()
        sim = data["simulated"]
        warn_if_simulated(data["datasets"], data["study"])
        dyads = study_dyads(data["cities"], data["indicators"], data["edges"], y=y, specs=specs,
                            year=year, weighted=weighted, directions=data["directions"])
        with progress_bar("QAP permutations") as prog:
            res = study_qap(dyads, perms=perms, seed=seed, method=method, logit=logit,
                            statistic=statistic, progress=prog)
        written = write_plot(res, plot, study=data["study"], simulated=sim) if plot else None
        if as_json:
            print_json({**res.to_dict(), "study": data["study"], "simulated": sim,
                        "plot": None if written is None else str(written)})
            return
        _print_notes(dyads.notes)
        show = year if year is not None else res.years[-1]
        r, c = res.mrqap.results[show], res.correlations[show]
        ties = "weights" if dyads.weighted else "0/1 ties"
        out.print(f"[bold]QAP / MRQAP of {dyads.y}[/] ({ties}, "
                  f"{'directed' if dyads.directed else 'undirected'}) in study {data['study']}"
                  f"{' — SIMULATED DATA' if sim else ''}", highlight=False)
        many = len(res.years) > 1
        which = f"{show}" + (" (the latest year; --year Y for another, every year below)" if many else "")
        out.print(f"{which}: {r.n_nodes} cities, {r.n_dyads} {'dyads' if r.directed else 'pairs'}; "
                  f"{'exact test, all ' if r.exact else ''}{r.perms} permutations, seed {seed} "
                  f"(default_rng([{seed}, {show}]))", highlight=False)
        print_wide(correlation_table(c, f"QAP correlations, {show} (Pearson r over the "
                                     f"{'off-diagonal cells' if r.directed else 'pairs i < j'}; p: two-sided permutation)"))
        print_wide(mrqap_table(r, f"MRQAP ({'logit' if r.model == 'logit' else 'OLS'}) of {dyads.y}, {show}"))
        out.print(fit_line(r), highlight=False)
        out.print(f"[dim]method {r.method}: {r.method_text}[/]", highlight=False)
        out.print(f"[dim]permuted statistic: {r.statistic}; p (perm) two-sided, "
                  + ("#{|T_perm| ≥ |T|} / n! (exact)" if r.exact else "(1 + #{|T_perm| ≥ |T|}) / (1 + permutations)")
                  + "; prop ≥ / ≤: share of permuted statistics as large / as small; std b = "
                  "b·sd(x)/sd(y); p classical assumes independent dyads (comparison only)[/]",
                  highlight=False)
        for var, reason in c.reasons.items():
            if "|" not in var:
                console.print(f"[yellow]{var}:[/] {reason}", highlight=False)
        for term, reason in r.table["reason"].items():
            if reason:
                console.print(f"[yellow]{term}:[/] {reason}", highlight=False)
        _print_notes(r.notes)
        if many:
            print_wide(years_table(res))
        for yr, why in res.skipped.items():
            console.print(f"[yellow]{yr}: skipped[/] ({why})", highlight=False)
        if written is not None:
            out.print(f"plot: {written}", highlight=False)
