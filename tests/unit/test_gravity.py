"""Gravity model: every parameter against a hand computation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.gravity import (EARTH_RADIUS_KM, dichotomize, gravity_links, gravity_matrix,
                              great_circle_km)
from cultnet.errors import CultnetError, NotEnoughData

DATA = Path(__file__).resolve().parents[1] / "data" / "network"


def _three():
    cities = pd.DataFrame({"name": ["a", "b", "c"], "lat": [0.0, 0.0, 0.0], "lon": [0.0, 1.0, 3.0]})
    ind = pd.DataFrame({"city": ["a", "b", "c"], "year": 2020, "pop": [4.0, 1.0, 9.0],
                        "cul": [2.0, 1.0, 3.0], "tech": [8.0, 1.0, 1.0], "gdp_pc": [5.0, 3.0, 4.0]})
    return cities, ind


def test_haversine_known_distances():
    d = great_circle_km([0, 0, 90], [0, 90, 0])
    assert d[0, 1] == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)
    assert d[0, 2] == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)
    assert np.allclose(d, d.T) and np.all(np.diag(d) == 0)
    # one degree of longitude on the equator
    assert great_circle_km([0, 0], [0, 1])[0, 1] == pytest.approx(111.195, abs=1e-3)
    c = pd.read_csv(DATA / "liaoning_cities.csv").set_index("name")
    dd = great_circle_km(c["lat"], c["lon"])
    i, j = list(c.index).index("Shenyang"), list(c.index).index("Dalian")
    assert 330 < dd[i, j] < 360   # Shenyang-Dalian straight line ~ 340 km


def test_matrix_formula_by_hand():
    cities, ind = _three()
    w = gravity_matrix(cities, ind, year=2020)   # masses pop, cul; k from cul; income gdp_pc; b=2
    d = great_circle_km(cities["lat"], cities["lon"])
    M = ind["pop"].to_numpy() * ind["cul"].to_numpy()
    g = ind["gdp_pc"].to_numpy()
    x = ind["cul"].to_numpy()
    for i in range(3):
        for j in range(3):
            if i == j:
                assert w.iloc[i, j] == 0
                continue
            expect = x[i] / (x[i] + x[j]) * math.sqrt(M[i] * M[j]) / (d[i, j] / abs(g[i] - g[j])) ** 2
            assert w.iloc[i, j] == pytest.approx(expect, rel=1e-12)
    assert list(w.index) == ["a", "b", "c"]


def test_three_masses_use_cube_root_and_parameters():
    cities, ind = _three()
    w3 = gravity_matrix(cities, ind, year=2020, masses=("pop", "cul", "tech"), asymmetry=None,
                        income=None, b=1.0)
    d = great_circle_km(cities["lat"], cities["lon"])
    M = (ind["pop"] * ind["cul"] * ind["tech"]).to_numpy()
    assert w3.iloc[0, 2] == pytest.approx((M[0] * M[2]) ** (1 / 3) / d[0, 2], rel=1e-12)
    assert np.allclose(w3.to_numpy(), w3.to_numpy().T)   # k = 1 -> symmetric
    # b scales the distance decay
    w0 = gravity_matrix(cities, ind, year=2020, asymmetry=None, income=None, b=0.0)
    assert w0.iloc[0, 1] == pytest.approx(math.sqrt(4 * 2 * 1 * 1), rel=1e-12)


def test_user_distance_matrix():
    cities, ind = _three()
    D = pd.DataFrame([[0, 2, 4], [2, 0, 8], [4, 8, 0]], index=list("abc"), columns=list("abc"), dtype=float)
    w = gravity_matrix(cities, ind, year=2020, distance=D, income=None, asymmetry=None)
    assert w.loc["b", "c"] == pytest.approx(math.sqrt(1 * 1 * 9 * 3) / 64)


def test_equal_income_guard():
    cities, ind = _three()
    ind.loc[1, "gdp_pc"] = 5.0        # a and b now have equal income
    w = gravity_matrix(cities, ind, year=2020)
    d = great_circle_km(cities["lat"], cities["lon"])
    floor = 0.01 * np.mean([5.0, 5.0, 4.0])
    expect = 2 / 3 * math.sqrt(8 * 1) / (d[0, 1] / floor) ** 2
    assert np.isfinite(w.to_numpy()).all()
    assert w.loc["a", "b"] == pytest.approx(expect, rel=1e-12)
    w2 = gravity_matrix(cities, ind, year=2020, income_floor=0.5)
    assert w2.loc["a", "b"] == pytest.approx(2 / 3 * math.sqrt(8) / (d[0, 1] / 0.5) ** 2, rel=1e-12)


def test_row_mean_threshold_excludes_diagonal():
    y = np.array([[0.0, 1.0, 2.0, 6.0],
                  [1.0, 0.0, 1.0, 1.0],
                  [3.0, 3.0, 0.0, 0.0],
                  [0.0, 0.0, 0.0, 0.0]])
    a = dichotomize(y, "row_mean")
    # row 0: mean over j != 0 = 3 (with the diagonal it would be 2.25 and a_02 would be 0)
    assert a[0].tolist() == [False, False, False, True]
    assert a[1].tolist() == [False, False, False, False]   # all equal to the mean: strict >
    assert a[2].tolist() == [True, True, False, False]
    assert not a[3].any()
    assert dichotomize(y, 1.5).sum() == 4
    assert dichotomize(y, "global_mean").sum() == int((y[~np.eye(4, dtype=bool)] > 17 / 12).sum())
    with pytest.raises(CultnetError):
        dichotomize(y, "median_of_something")


def test_links_per_year_and_columns():
    cities, ind = _three()
    ind2 = ind.assign(year=2021, pop=ind["pop"] * 2)
    links = gravity_links(cities, pd.concat([ind, ind2]))
    assert list(links.columns) == ["source", "target", "year", "weight", "linked"]
    assert len(links) == 2 * 6 and sorted(links["year"].unique()) == [2020, 2021]
    assert links["linked"].dtype == bool
    only = gravity_links(cities, pd.concat([ind, ind2]), years=[2021])
    assert set(only["year"]) == {2021}
    # doubling every population doubles the geometric-mean mass term
    a = links[links.year == 2020].set_index(["source", "target"])["weight"]
    b = links[links.year == 2021].set_index(["source", "target"])["weight"]
    assert np.allclose(b / a, 2.0)
    assert "diagonal excluded" in links.attrs["rule"]


def test_bad_inputs_are_clear():
    cities, ind = _three()
    with pytest.raises(CultnetError, match="'nope'"):
        gravity_matrix(cities, ind, year=2020, masses=("nope",))
    bad = ind.copy()
    bad.loc[2, "pop"] = np.nan
    with pytest.raises(NotEnoughData, match="'pop'.*c.*2020"):
        gravity_matrix(cities, bad, year=2020)
    bad = ind.copy()
    bad.loc[0, "cul"] = 0
    with pytest.raises(NotEnoughData, match="positive"):
        gravity_matrix(cities, bad, year=2020)
    with pytest.raises(NotEnoughData, match="1999"):
        gravity_matrix(cities, ind, year=1999)
    same = cities.copy()
    same.loc[1, ["lat", "lon"]] = [0.0, 0.0]
    with pytest.raises(NotEnoughData, match="distances"):
        gravity_matrix(same, ind, year=2020)


def test_liaoning_network_end_to_end():
    """14 cities, synthetic indicators: every row keeps its above-mean arcs; graph builds."""
    from cultnet.graph.export import frame_to_igraph
    from cultnet.analysis.network import analyze_network

    cities = pd.read_csv(DATA / "liaoning_cities.csv")
    rng = np.random.default_rng(0)
    ind = pd.DataFrame({"city": cities["name"], "year": 2024,
                        "pop": rng.uniform(100, 900, 14), "cul": rng.uniform(1, 50, 14),
                        "gdp_pc": rng.uniform(40_000, 120_000, 14)})
    links = gravity_links(cities, ind)
    assert len(links) == 14 * 13
    w = gravity_matrix(cities, ind, year=2024)
    for src, grp in links.groupby("source"):
        row = w.loc[src].drop(src)
        assert set(grp.loc[grp.linked, "target"]) == set(row[row > row.mean()].index)
    g = frame_to_igraph(links[links.linked], cities, directed=True)
    rep = analyze_network(g)
    assert rep.graph["nodes"] == 14 and rep.graph["arcs"] == int(links.linked.sum())
    assert (rep.nodes["out_degree"] >= 1).all()      # a row maximum always exceeds its mean
