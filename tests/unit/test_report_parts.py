"""The replication report's pure parts (ui/report.py): params.json round trip and its errors, the
explorer's widget keys -> choices, the generic booktabs writer (checked by the same parser as the
report's tables), CSV determinism, the dataset-file match that replicate.sh relies on."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from cultnet.errors import CultnetError
from cultnet.ui import report as R
from tests.integration.test_report import check_latex


def test_params_round_trip_exactly():
    p = R.Params(study="shanxi", year=2019, qap_x=("distance", "absdiff:income_pc"),
                 groups=(("Datong", "north"), ("Yuncheng", "south")), var_lags=2, var_bands=None,
                 gravity={"masses": ["residents", "revenue"], "asymmetry": None, "income": "income_pc"})
    q = R.Params.from_json(p.to_json())
    assert q == p.replace(gravity=q.gravity) and q.gravity == p.gravity
    assert q.to_json() == p.to_json()


def test_params_errors_are_clear():
    with pytest.raises(CultnetError, match="schema"):
        R.Params.from_json('{"schema": "other/1", "params": {}}')
    with pytest.raises(CultnetError, match="unknown choice.*colour"):
        R.Params.from_dict({"study": "s", "colour": "red"})


def test_session_choices_become_params():
    state = {"cent_method": "cooperation", "cent_year": 2020, "cent_closeness": "ucinet",
             "drv_x": ["dig", "tech"], "drv_inf": "analytic", "dyn_lags": "auto (AIC)",
             "qap_year": "every year", "pvar_lags": 2, "up_y": ["isu", "tiu"], "pvar_bands": None,
             "drv_y": None}
    p = R.params_from_session("liaoning-sample", state)
    assert (p.method, p.year, p.closeness, p.panel_x, p.inference) == ("cooperation", 2020, "ucinet",
                                                                       ("dig", "tech"), "analytic")
    assert p.var_lags == "auto" and p.qap_year is None and p.pvar_lags == 2 and p.upgrading_ys == ("isu", "tiu")
    assert p.pvar_bands is None and p.var_bands == "mc" and p.panel_y is None   # bands "none" is a choice


def test_latex_table_escapes_and_is_well_formed():
    frame = pd.DataFrame({"name": ["a_b & c", "50% {x} #1 ~^\\"], "value": [1.5, np.nan], "ok": [True, False]})
    tex = R.latex_table(frame, caption="Table_1 & notes", notes=("p < 0.1: *", "d.f. 5_3"))
    check_latex(tex)
    assert r"a\_b \& c" in tex and r"50\% \{x\} \#1 \textasciitilde{}\textasciicircum{}\textbackslash{}" in tex
    assert r"\begin{tabular}{lrl}" in tex and r"\par\footnotesize{d.f. 5\_3}" in tex


def test_csv_is_deterministic_and_keeps_ten_digits():
    frame = pd.DataFrame({"x": [1 / 3, 2.0, np.nan], "s": ["=1+1", "Shenyang 沈阳", None]})
    a, b = R.csv_bytes(frame), R.csv_bytes(frame.copy())
    assert a == b and a.startswith("\ufeff".encode())
    text = a.decode("utf-8-sig")
    assert "0.3333333333," in text and "'=1+1" in text and "沈阳" in text


def test_dataset_files_match_only_when_their_digests_reproduce_the_id(tmp_path):
    from cultnet.etl.load import _dataset_sha

    (tmp_path / "cities.csv").write_text("name,lat,lon\nA,1,2\n", encoding="utf-8")
    (tmp_path / "links.csv").write_text("source,target,weight\nA,A,1\n", encoding="utf-8")
    dig = {r: hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for r, f in (("cities", "cities.csv"), ("edges", "links.csv"))}
    sha = _dataset_sha("s", dig, {"fmt": None, "directed": False, "sheet": None})
    row = {"id": f"ds-{sha[:16]}", "sha256": sha, "source": "files: cities=cities.csv, edges=links.csv"}
    m = R._match_inputs("s", row, [tmp_path])
    assert m is not None and m["directed"] is False and set(m["files"]) == {"cities", "edges"}
    assert R._match_inputs("other-study", row, [tmp_path]) is None
    (tmp_path / "links.csv").write_text("source,target,weight\nA,A,2\n", encoding="utf-8")
    assert R._match_inputs("s", row, [tmp_path]) is None


def test_cli_reports_every_bad_choice_at_once(tmp_path):
    from typer.testing import CliRunner

    from cultnet.ui.cli import app

    r = CliRunner().invoke(app, ["report", "--closeness", "nearest", "--effects", "fe", "--var-lags", "two",
                                 "--inputs", str(tmp_path / "nowhere"), "--params", str(tmp_path / "p.json")])
    assert r.exit_code != 0
    msg = " ".join(r.output.split())
    for part in ("--closeness 'nearest': use wf, ucinet, reachable, strict", "--effects 'fe'",
                 "--var-lags 'two': auto or a number", "nowhere: not a folder", "p.json: no such file"):
        assert part in msg, (part, msg)
    assert "Traceback" not in r.output
