"""Indices of the paper's panels and log transforms (hand-computed values)."""

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.indices import (industrial_structure_upgrading, location_quotient, log_transform,
                              paper_variables, tertiary_internal_upgrading)
from cultnet.errors import ValidationError


def test_isu_by_hand():
    df = pd.DataFrame({"va1": [10.0, 0.0], "va2": [40.0, 50.0], "va3": [50.0, 50.0], "gdp": [100.0, 100.0]})
    # 1*0.1 + 2*0.4 + 3*0.5 = 2.4 ; 0 + 1.0 + 1.5 = 2.5
    assert industrial_structure_upgrading(df).tolist() == pytest.approx([2.4, 2.5])


def test_tiu_by_hand():
    df = pd.DataFrame({"va3_modern": [30.0, 10.0], "va3": [60.0, 40.0]})
    assert tertiary_internal_upgrading(df).tolist() == pytest.approx([0.5, 0.25])


def test_location_quotient_by_year():
    df = pd.DataFrame({"city": ["A", "B", "A", "B"], "year": [1, 1, 2, 2],
                       "cul_va": [2.0, 1.0, 1.0, 1.0], "gdp": [10.0, 20.0, 10.0, 10.0]})
    # year 1: shares 0.2, 0.05; province 3/30 = 0.1 -> 2.0, 0.5 ; year 2: equal -> 1, 1
    assert location_quotient(df).tolist() == pytest.approx([2.0, 0.5, 1.0, 1.0])


def test_location_quotient_weighted_mean_is_one():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"year": np.repeat([1, 2], 5), "cul_va": rng.uniform(1, 5, 10), "gdp": rng.uniform(10, 50, 10)})
    lq = location_quotient(df)
    # Σ_i gdp_i·LQ_i / Σ gdp = 1 within each year
    for _, g in df.assign(lq=lq).groupby("year"):
        assert (g.gdp * g.lq).sum() / g.gdp.sum() == pytest.approx(1.0)


def test_log_error_names_city_year_column():
    df = pd.DataFrame({"city": ["Fuxin", "Dalian"], "year": [2016, 2016], "dig": [0.0, 5.0]})
    with pytest.raises(ValidationError) as e:
        log_transform(df, ["dig"], source="ind.csv")
    msg = e.value.user_message
    assert "city=Fuxin" in msg and "year=2016" in msg and "dig" in msg and "ind.csv" in msg


def test_log_drop_and_shift():
    df = pd.DataFrame({"city": ["A", "B", "C"], "year": [1, 1, 1], "x": [0.0, 1.0, np.e - 1]})
    dropped = log_transform(df, ["x"], zero="drop")
    assert dropped["city"].tolist() == ["B", "C"]
    shifted = log_transform(df, ["x"], zero="shift", shift=1.0)
    assert shifted["ln_x"].tolist() == pytest.approx([0.0, np.log(2.0), 1.0])
    with pytest.raises(ValidationError):
        log_transform(df.assign(x=[-2.0, 1.0, 1.0]), ["x"], zero="shift", shift=1.0)


def test_missing_column_is_named():
    with pytest.raises(ValidationError, match="nope"):
        log_transform(pd.DataFrame({"city": ["A"], "year": [1]}), ["nope"])


def test_paper_variables_builds_all():
    df = pd.DataFrame({"city": ["A", "B"], "year": [1, 1], "va1": [1.0, 2.0], "va2": [4.0, 4.0], "va3": [5.0, 4.0],
                       "gdp": [10.0, 10.0], "va3_modern": [2.0, 1.0], "cul_va": [1.0, 0.5], "cul": [1.0, 2.0],
                       "dig": [3.0, 4.0]})
    out = paper_variables(df)
    assert {"isu", "tiu", "cia", "ln_cul", "ln_dig"} <= set(out.columns)
    assert out["cia"].tolist() == pytest.approx([1 / 0.75, 0.5 / 0.75])
