"""The SIMULATED second region (tests/data/region, scripts/make_region.py): reproducible, valid,
and unlike the paper's data in every way the studies acceptance needs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
REGION = ROOT / "tests" / "data" / "region"


def _module():
    spec = importlib.util.spec_from_file_location("make_region", ROOT / "scripts" / "make_region.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_regenerates_byte_identical(tmp_path):
    for p in _module().write(tmp_path):
        assert p.read_bytes() == (REGION / p.name).read_bytes(), p.name


def test_labelled_simulated():
    assert json.loads((REGION / "manifest.json").read_text(encoding="utf-8"))["simulated"] is True
    assert json.loads((REGION / "truth.json").read_text(encoding="utf-8"))["simulated"] is True
    assert "**These data are SIMULATED.**" in (REGION / "README.md").read_text(encoding="utf-8")


def test_valid_and_unlike_the_paper():
    from cultnet.etl.load import validate_files

    b = validate_files(None, cities=REGION / "cities.csv", indicators=REGION / "indicators.csv",
                       edges=REGION / "links.csv", series=REGION / "series.csv")
    assert (REGION / "cities.csv").read_text(encoding="utf-8").startswith("城市,中文名,省份,纬度,经度\n")
    assert len(b.cities) == 11 and "Lüliang" in set(b.cities["name"])
    assert dict(zip(b.cities["name"], b.cities["name_zh"]))["Taiyuan"] == "太原"
    assert sorted(b.indicators["year"].unique()) == list(range(2012, 2020))
    paper = {"cul", "dig", "tech", "res", "dem", "sys", "pop", "gdp_pc", "gdp"}
    assert not paper & set(b.indicators.columns)
    links = b.city_links
    assert set(links["method"]) == {"observed"} and len(links) == 17   # 18 rows, one pair twice
    assert (links["source"] < links["target"]).all()                     # stored undirected
    assert "Shuozhou" not in set(links["source"]) | set(links["target"])  # an isolated city
    assert b.cooperation is None and len(b.series) == 32


def test_panel_recovers_the_true_slopes():
    import pandas as pd

    from cultnet.analysis.panel import fit_panel

    truth = json.loads((REGION / "truth.json").read_text(encoding="utf-8"))["panel"]["slopes"]
    ind = pd.read_csv(REGION / "indicators.csv")
    res = fit_panel(ind, "revenue", ["broadband", "patents", "visitors"], effects="twoway",
                    cov="clustered", log=True)
    c = res.coefficients
    for term, beta in truth.items():
        z = (c.loc[term, "estimate"] - beta) / c.loc[term, "std_error"]
        assert abs(z) < 3, (term, c.loc[term].to_dict())
    assert np.isfinite(c["estimate"]).all()
