"""QAP on a study's data (analysis.qap.spec_choices / check_specs / study_dyads / study_qap).

The matrices are checked against ones written by hand here from the same frames (an independent
haversine, explicit loops over the edge lists, analysis.gravity for the gravity model), and the
per-year results against ``mrqap`` / ``qap_correlation`` called directly on those matrices with
the per-year seed ``[seed, year]``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.gravity import gravity_links, gravity_matrix
from cultnet.analysis.qap import (check_specs, mrqap, parse_specs, qap_correlation, spec_choices,
                                  study_dyads, study_qap)
from cultnet.errors import CultnetError, NotEnoughData

NAMES = ["Anshan", "Benxi", "Dalian", "Fushun", "Jilin", "Siping"]
LAT = [41.11, 41.30, 38.91, 41.88, 43.84, 43.17]
LON = [122.99, 123.77, 121.61, 123.96, 126.55, 124.35]
PROVINCE = ["LN", "LN", "LN", "LN", "JL", "JL"]
COOP = {2020: [("Anshan", "Benxi", 3), ("Anshan", "Dalian", 1), ("Benxi", "Fushun", 2),
               ("Dalian", "Jilin", 4), ("Jilin", "Siping", 5)],
        2021: [("Anshan", "Benxi", 2), ("Benxi", "Dalian", 1), ("Fushun", "Siping", 2),
               ("Dalian", "Jilin", 3)],
        2022: [("Anshan", "Benxi", 1), ("Benxi", "Dalian", 1)]}
OBSERVED = [("Dalian", "Anshan", 2), ("Anshan", "Dalian", 1), ("Siping", "Jilin", 4),
            ("Benxi", "Fushun", 1)]


def _frames():
    cities = pd.DataFrame({"name": NAMES, "name_zh": [f"城{i}" for i in range(6)],
                           "province": PROVINCE, "lat": LAT, "lon": LON})
    rng = np.random.default_rng(5)
    rows = []
    for year in (2020, 2021):
        for i, c in enumerate(NAMES):
            rows.append({"city": c, "year": year, "pop": 300.0 + 100 * i + year % 7,
                         "cul": float(rng.uniform(50, 500)), "gdp_pc": float(rng.uniform(4e4, 1.2e5)),
                         "dig": float(rng.uniform(0, 1))})
    ind = pd.DataFrame(rows)
    edges = [{"source": a, "target": b, "weight": float(w), "year": y, "method": "cooperation"}
             for y, es in COOP.items() for a, b, w in es]
    edges += [{"source": a, "target": b, "weight": float(w), "year": 2020, "method": "observed"}
              for a, b, w in OBSERVED]
    return cities, ind, pd.DataFrame(edges)


DIRS = {"gravity": True, "cooperation": False, "observed": True}


def _haversine(i, j):
    p1, p2 = math.radians(LAT[i]), math.radians(LAT[j])
    dl = math.radians(LON[j] - LON[i])
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _pairs(edge_list, *, directed, weighted):
    m = np.zeros((6, 6))
    for a, b, w in edge_list:
        i, j = NAMES.index(a), NAMES.index(b)
        m[i, j] += w if weighted else 1
        if not directed:
            m[j, i] += w if weighted else 1
    return m if weighted else (m > 0).astype(float)


def test_spec_choices_list_the_study_columns_and_networks():
    cities, ind, edges = _frames()
    ch = spec_choices(cities, ind, edges)
    assert ch.distance and ch.gravity_computable
    assert ch.numeric == ("cul", "dig", "gdp_pc", "lat", "lon", "pop")
    assert ch.category == ("province",)                     # name_zh identifies a city: not a category
    assert ch.networks == ("gravity", "cooperation", "observed")
    bare = spec_choices(cities[["name", "province"]], ind[["city", "year", "dig"]], None)
    assert not bare.distance and bare.networks == () and not bare.gravity_computable


def test_check_specs_reports_every_problem_at_once():
    cities, ind, edges = _frames()
    ch = spec_choices(cities, ind, edges)
    specs = parse_specs("absdiff:gdp_p,absdiff:province,network:foo,network:cooperation,ratio:pop")
    with pytest.raises(CultnetError) as e:
        check_specs(specs, ch, y="cooperation", directed=False)
    msg = e.value.user_message
    assert "absdiff:gdp_p: no column 'gdp_p' in the study (did you mean 'gdp_pc'?)" in msg
    assert "absdiff:province: column 'province' is not numeric" in msg
    assert "network:foo: no such network" in msg and "networks: gravity, cooperation, observed" in msg
    assert "network:cooperation: this is the dependent variable" in msg
    assert "ratio:pop: x_i / x_j is asymmetric" in msg
    nocoord = spec_choices(cities[["name", "province"]], ind, edges)
    with pytest.raises(CultnetError, match="distance: the study's cities have no coordinates"):
        check_specs(parse_specs("distance"), nocoord, y="cooperation")
    check_specs(parse_specs("distance,ratio:pop,same:province"), ch, y="gravity", directed=True)


def test_cooperation_matrices_equal_hand_built_ones():
    cities, ind, edges = _frames()
    for weighted in (False, True):
        d = study_dyads(cities, ind, edges, y="cooperation", year=2020, weighted=weighted,
                        specs="distance,absdiff:gdp_pc,same:province,network:observed",
                        directions=DIRS)
        dd = d.data[2020]
        assert d.directed is False and dd.names == tuple(NAMES) and list(d.data) == [2020]
        np.testing.assert_array_equal(dd.y, _pairs(COOP[2020], directed=False, weighted=weighted))
        dist = np.array([[0 if i == j else _haversine(i, j) for j in range(6)] for i in range(6)])
        np.testing.assert_allclose(dd.x["distance"], dist, rtol=1e-12)
        g = ind[ind.year == 2020].set_index("city").loc[NAMES, "gdp_pc"].to_numpy()
        np.testing.assert_allclose(dd.x["absdiff:gdp_pc"], np.abs(g[:, None] - g[None, :]), rtol=0)
        same = np.array([[float(PROVINCE[i] == PROVINCE[j] and i != j) for j in range(6)] for i in range(6)])
        np.testing.assert_array_equal(dd.x["same:province"], same)
        obs = _pairs(OBSERVED, directed=True, weighted=weighted)
        # undirected y: the directed observed network symmetrized (a tie either way / weights summed)
        np.testing.assert_array_equal(dd.x["network:observed"],
                                      obs + obs.T if weighted else np.maximum(obs, obs.T))
        assert any("symmetrized" in n for n in dd.notes)


def test_direction_inferred_and_said_when_not_recorded():
    cities, ind, edges = _frames()
    d = study_dyads(cities, ind, edges, y="cooperation", year=2020, specs="distance")
    assert d.directed is False            # every pair stored once in sorted order
    assert any("direction not recorded" in n and "undirected" in n for n in d.notes)
    d = study_dyads(cities, ind, edges, y="observed", specs="distance")
    assert d.directed is True and list(d.data) == [2020]


def test_gravity_computed_on_the_fly_or_read_from_the_stored_links():
    cities, ind, edges = _frames()
    coop = edges[edges.method == "cooperation"]
    d = study_dyads(cities, ind, coop, y="gravity", specs="distance", directions=DIRS)
    assert sorted(d.data) == [2020, 2021] and d.directed
    links = gravity_links(cities, ind, years=[2021])
    arcs = links[links.linked]
    want = np.zeros((6, 6))
    for s, t in zip(arcs.source, arcs.target):
        want[NAMES.index(s), NAMES.index(t)] = 1
    np.testing.assert_array_equal(d.data[2021].y, want)
    assert "computed from the cities and indicators" in " ".join(d.data[2021].notes)
    w = gravity_matrix(cities, ind, year=2021).loc[NAMES, NAMES].to_numpy()
    dw = study_dyads(cities, ind, coop, y="gravity", year=2021, weighted=True, specs="distance")
    np.testing.assert_allclose(dw.data[2021].y, w, rtol=1e-12)
    # stored arcs only (as `cultnet gravity --write`): 0/1 from them; weights recomputed and checked
    stored = pd.concat([coop, arcs.drop(columns="linked").assign(method="gravity")])
    ds = study_dyads(cities, ind, stored, y="gravity", year=2021, specs="distance")
    np.testing.assert_array_equal(ds.data[2021].y, want)
    assert "the stored gravity LINKS" in " ".join(ds.data[2021].notes)
    dsw = study_dyads(cities, ind, stored, y="gravity", year=2021, weighted=True, specs="distance")
    np.testing.assert_allclose(dsw.data[2021].y, w, rtol=1e-12)
    assert "equal the" in " ".join(dsw.data[2021].notes)
    other = pd.concat([coop, arcs.drop(columns="linked").assign(method="gravity",
                                                                 weight=arcs.weight * 2)])
    with pytest.raises(CultnetError, match="--all-pairs"):
        study_dyads(cities, ind, other, y="gravity", year=2021, weighted=True, specs="distance")
    # every pair stored (--all-pairs): its weights are used as they are
    allp = pd.concat([coop, links.assign(method="gravity", weight=links.weight * 3)])
    da = study_dyads(cities, ind, allp, y="gravity", year=2021, weighted=True, specs="distance")
    np.testing.assert_allclose(da.data[2021].y, 3 * w, rtol=1e-12)


def test_years_missing_network_and_skipped_years():
    cities, ind, edges = _frames()
    with pytest.raises(NotEnoughData, match=r"no such network: no 'observed' links in 2021 \(years: 2020\)"):
        study_dyads(cities, ind, edges, y="observed", year=2021, specs="distance")
    with pytest.raises(NotEnoughData, match="no such network: the study has no 'observed'"):
        study_dyads(cities, ind, edges[edges.method != "observed"], y="observed", specs="distance")
    with pytest.raises(CultnetError, match="did you mean 'gravity'"):
        study_dyads(cities, ind, edges, y="gravty", specs="distance")
    # 2022 has cooperation links but no indicators: every city lacks gdp_pc, the year is skipped
    d = study_dyads(cities, ind, edges, y="cooperation", specs="absdiff:gdp_pc", directions=DIRS)
    assert sorted(d.data) == [2020, 2021] and "no city has a value of 'gdp_pc'" in d.skipped[2022]
    with pytest.raises(NotEnoughData, match="no city has a value"):
        study_dyads(cities, ind, edges, y="cooperation", year=2022, specs="absdiff:gdp_pc")
    # an x network without links that year is an empty matrix, set aside as constant
    r = study_qap(study_dyads(cities, ind, edges, y="cooperation", year=2021, directions=DIRS,
                              specs="distance,network:observed"), perms=50)
    assert "constant" in r.mrqap.results[2021].table.loc["network:observed", "reason"]
    assert "observed 2021: no links stored that year" in " ".join(r.mrqap.results[2021].notes)


@pytest.mark.parametrize("method", ["dsp", "y"])
def test_study_qap_equals_mrqap_on_the_same_matrices_with_the_year_seed(method):
    cities, ind, edges = _frames()
    d = study_dyads(cities, ind, edges, y="cooperation", weighted=True, directions=DIRS,
                    specs="distance,absdiff:gdp_pc,same:province")
    res = study_qap(d, perms=300, seed=7, method=method)
    assert res.years == [2020, 2021] and res.skipped == {2022: d.skipped[2022]}
    for year in res.years:
        Y = _pairs(COOP[year], directed=False, weighted=True)
        x = {k: d.data[year].x[k] for k in ("distance", "absdiff:gdp_pc", "same:province")}
        ref = mrqap(Y, x, directed=False, perms=300, seed=[7, year], method=method,
                    y_name="cooperation")
        got = res.mrqap.results[year]
        np.testing.assert_allclose(got.table["estimate"], ref.table["estimate"], rtol=1e-12)
        np.testing.assert_array_equal(got.table["p_value"], ref.table["p_value"])
        assert got.fit["r2"] == pytest.approx(ref.fit["r2"], rel=1e-12)
        rc = qap_correlation({"cooperation": Y, **x}, directed=False, perms=300, seed=[7, year])
        np.testing.assert_allclose(res.correlations[year].r.to_numpy(), rc.r.to_numpy(), rtol=1e-12)
        np.testing.assert_array_equal(res.correlations[year].p_value.to_numpy(), rc.p_value.to_numpy())
    coef = res.coefficients()
    assert set(coef["year"]) == {2020, 2021} and len(coef) == 8
    fit = res.fit()
    assert list(fit["year"]) == [2020, 2021] and (fit["n_dyads"] == 15).all()
    # a year run alone equals that year of the panel
    alone = study_qap(study_dyads(cities, ind, edges, y="cooperation", weighted=True, year=2021,
                                  directions=DIRS, specs="distance,absdiff:gdp_pc,same:province"),
                      perms=300, seed=7, method=method)
    pd.testing.assert_frame_equal(alone.mrqap.results[2021].table, res.mrqap.results[2021].table)
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert doc["schema"] == "cultnet.qap/1" and doc["y"] == {"network": "cooperation",
                                                              "weighted": True, "directed": False}
    assert doc["x"] == ["distance", "absdiff:gdp_pc", "same:province"]
    assert set(doc["years"]) == {"2020", "2021"} and doc["skipped"] == {"2022": d.skipped[2022]}


def test_study_qap_progress_names_the_year():
    cities, ind, edges = _frames()
    d = study_dyads(cities, ind, edges, y="cooperation", directions=DIRS, specs="distance")
    calls = []
    study_qap(d, perms=40, progress=lambda done, total, label: calls.append((done, total, label)))
    assert any(c[2].startswith("2020 (1/3) QAP correlation") for c in calls)
    assert any(c[2].startswith("2022 (3/3) MRQAP") and c[0] == c[1] for c in calls)
