"""cultnet.etl.validate and etl.load.validate_files without a store: every rule, all problems collected,
duplicates summed, enterprise cooperation aggregated to cities (checked by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cultnet.errors import ValidationError
from cultnet.etl.load import validate_files
from cultnet.etl.validate import (cooperation_to_city_links, looks_like_formula, parse_period,
                          sum_duplicate_edges)

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def messages(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


CITIES = "name,name_zh,lat,lon\nShenyang,沈阳,41.8,123.4\nDalian,大连,38.9,121.6\nAnshan,鞍山,41.1,123.0\n"


@pytest.mark.parametrize("s, is_formula", [
    ('=HYPERLINK("http://x","y")', True), ("=1+2", True), ("+SUM(A1)", True), ("-cmd|' /C calc'!A0", True),
    ("@SUM(A1)", True), ("+(1)", True), ("-3", False), ("+86 24 1234", False), ("Shenyang", False),
    ("a=b", False), ("沈阳", False),
])
def test_formula_detection(s, is_formula):
    assert looks_like_formula(s) is is_formula


def test_parse_period():
    assert parse_period("2015Q1") == ("2015Q1", "Q", 2015)
    assert parse_period("2015-q4") == ("2015Q4", "Q", 2015)
    assert parse_period("Q2 2016") == ("2016Q2", "Q", 2016)
    assert parse_period("2015-3") == ("2015-03", "M", 2015)
    assert parse_period("2015") == ("2015", "A", 2015)
    assert parse_period("2015Q5") is None and parse_period("2015-13") is None


def test_sum_duplicates_directed_and_undirected():
    e = pd.DataFrame({"source": ["A", "B", "A", "A"], "target": ["B", "A", "B", "B"],
                      "weight": [1.0, 2.0, 4.0, 8.0], "year": [2015, 2015, 2015, 2016]})
    d, merged = sum_duplicate_edges(e, directed=True)
    assert d.values.tolist() == [["A", "B", 5.0, 2015], ["B", "A", 2.0, 2015], ["A", "B", 8.0, 2016]]
    assert merged == 1
    u, merged = sum_duplicate_edges(e, directed=False)
    assert u.values.tolist() == [["A", "B", 7.0, 2015], ["A", "B", 8.0, 2016]]
    assert merged == 2


def test_cooperation_to_city_links_by_hand():
    coop = pd.DataFrame({"source": ["e1", "e1", "e3", "e2", "e4"], "target": ["e3", "e2", "e1", "e4", "e1"],
                         "weight": [1.0, 10.0, 2.0, 4.0, 8.0], "year": [2015, 2015, 2015, 2015, 2016]})
    city = {"e1": "A", "e2": "A", "e3": "B", "e4": "C"}
    # directed: A->B 1, B->A 2, A->A dropped, A->C 4 (2015); C->A 8 (2016)
    d = cooperation_to_city_links(coop, city, directed=True)
    assert d.values.tolist() == [["A", "B", 1.0, 2015, "cooperation"], ["A", "C", 4.0, 2015, "cooperation"],
                                 ["B", "A", 2.0, 2015, "cooperation"], ["C", "A", 8.0, 2016, "cooperation"]]
    u = cooperation_to_city_links(coop, city, directed=False)
    assert u.values.tolist() == [["A", "B", 3.0, 2015, "cooperation"], ["A", "C", 4.0, 2015, "cooperation"],
                                 ["A", "C", 8.0, 2016, "cooperation"]]


def test_good_corpus_bundle():
    b = validate_files(None, cities=GOOD / "cities.csv", indicators=GOOD / "indicators.csv",
                       enterprises=GOOD / "enterprises.csv", edges=GOOD / "cooperation.csv",
                       series=GOOD / "series.csv")
    assert list(b.cities.columns) == ["name", "name_zh", "province", "lat", "lon", "area_km2"]
    assert b.cities["name"].tolist() == ["Shenyang", "Dalian", "Anshan", "Fushun"]
    assert b.cities["area_km2"].tolist() == [12860.0, 13237.0, 9255.0, 11271.0]
    assert b.indicators.shape == (8, 4)
    assert pd.isna(b.indicators.loc[7, "digital_index"])  # empty cell kept as NaN
    assert b.enterprises.shape == (6, 3)
    assert b.cooperation.values.tolist() == [["E01", "E03", 3.0, 2015], ["E01", "E02", 2.0, 2015],
                                             ["E03", "E05", 1.0, 2015], ["E02", "E06", 4.0, 2016],
                                             ["E04", "E01", 2.0, 2016], ["E05", "E06", 1.0, 2016]]
    # E01 Shenyang, E02 Shenyang, E03 Dalian, E04 Dalian, E05 Anshan, E06 Fushun; E01-E02 same city
    assert b.city_links.values.tolist() == [
        ["Dalian", "Anshan", 1.0, 2015, "cooperation"], ["Shenyang", "Dalian", 3.0, 2015, "cooperation"],
        ["Anshan", "Fushun", 1.0, 2016, "cooperation"], ["Dalian", "Shenyang", 2.0, 2016, "cooperation"],
        ["Shenyang", "Fushun", 4.0, 2016, "cooperation"]]
    assert b.series.values.tolist() == [["Liaoning", "2015Q1", "Q", 3.1], ["Liaoning", "2015Q2", "Q", 3.3],
                                        ["Liaoning", "2015Q3", "Q", 3.2]]
    assert b.simulated is False and b.dataset_id.startswith("ds-") and len(b.sha256) == 64
    assert b.row_count() == 4 + 8 + 6 + 6 + 5 + 3


def test_dataset_id_depends_on_bytes_and_options(tmp_path):
    a = validate_files(None, cities=GOOD / "cities.csv").dataset_id
    copy = tmp_path / "other_name.csv"
    copy.write_bytes((GOOD / "cities.csv").read_bytes())
    assert validate_files(None, cities=copy).dataset_id == a  # same bytes, same id
    assert validate_files(None, cities=copy, directed=True).dataset_id != a
    copy.write_bytes(copy.read_bytes() + b"Tieling,,Liaoning,42.3,123.8,1\n")
    assert validate_files(None, cities=copy).dataset_id != a


def test_city_edges_become_observed_links_and_name_zh_resolves(tmp_path):
    c = write(tmp_path, "c.csv", CITIES)
    e = write(tmp_path, "e.csv", "from,to,frequency,year\n沈阳,Dalian,2,2015\nDalian,Shenyang,1,2015\n")
    b = validate_files(None, cities=c, edges=e)
    assert b.cooperation is None
    assert b.city_links.values.tolist() == [["Shenyang", "Dalian", 2.0, 2015, "observed"],
                                            ["Dalian", "Shenyang", 1.0, 2015, "observed"]]
    b = validate_files(None, cities=c, edges=e, directed=False)
    assert b.city_links.values.tolist() == [["Dalian", "Shenyang", 3.0, 2015, "observed"]]
    assert any("1 duplicate edge row(s) summed" in n for n in b.notes)


def test_all_problems_of_all_files_are_collected(tmp_path):
    c = write(tmp_path, "c.csv", "name,lat,lon\nA,91,0\nB,0,181\nA,1,1\n=HYPERLINK(\"x\"),1,1\n")
    i = write(tmp_path, "i.csv", "city,year,gdp\nA,1850,1\nZ,2015,x\nB,2015.5,inf\n")
    e = write(tmp_path, "e.csv", "source,target,weight,year\nA,A,1,2015\nA,B,-1,2015\nA,B,NaN,2015\nA,B,2e12,2015\nA,Q,1,2015\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c, indicators=i, edges=e)
    assert messages(ex) == [
        "c.csv:2:lat: latitude 91 is above 90",
        "c.csv:3:lon: longitude 181 is above 180",
        "c.csv:4:name: duplicate city 'A' (first on line 2)",
        "c.csv:5:name: city name '=HYPERLINK(\"x\")' looks like a spreadsheet formula; formulas are not "
        "accepted in text fields (formula injection)",
        "i.csv:2:year: year 1850 outside 1900-2100",
        "i.csv:3:city: unknown city 'Z' (not in the store nor in the cities file of this load)",
        "i.csv:3:gdp: gdp 'x' is not a number",
        "i.csv:4:year: year '2015.5' is not an integer",
        "i.csv:4:gdp: gdp is infinite",
        "e.csv:2:source: self-loop: source and target are both 'A'",
        "e.csv:3:weight: weight -1 is negative",
        "e.csv:4:weight: weight is NaN or missing",
        "e.csv:5:weight: weight 2e+12 is absurdly large (> 1e+12)",
    ]
    assert "13 problem(s) found in the input; nothing was written to the store." in str(ex.value)
    assert ex.value.exit_code == 2


def test_unknown_endpoints_are_reported_once_levels_are_decided(tmp_path):
    c = write(tmp_path, "c.csv", CITIES)
    ent = write(tmp_path, "ent.csv", "id,name,city\nE1,a,Shenyang\nE2,b,大连\nE3,c,Shenyan\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c, enterprises=ent)
    assert messages(ex) == ["ent.csv:4:city: enterprise 'E3' is in unknown city 'Shenyan' (not in the store "
                            "nor in the cities file of this load); did you mean 'Shenyang'?"]
    ent = write(tmp_path, "ent.csv", "id,name,city\nE1,a,Shenyang\nE2,b,大连\nE3,c,Anshan\n")
    e = write(tmp_path, "e.csv", "source,target\nE1,E2\nE2,E9\nE3,Dalian\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c, enterprises=ent, edges=e)
    assert messages(ex) == [
        "e.csv:3:target: unknown enterprise 'E9' (not in the store nor in the enterprises file of this load)",
        "e.csv:4:target: 'Dalian' is a city but the other endpoints are enterprises: mixed edge file"]


def test_missing_and_misspelled_columns(tmp_path):
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=write(tmp_path, "c.csv", "Name,Latitdue,lng\nA,1,1\n"))
    assert messages(ex) == ["c.csv:1: missing column 'lat' (accepted names: lat, latitude, 纬度); did you "
                            "mean 'Latitdue'?; the header has 'Name', 'Latitdue', 'lng'"]
    with pytest.raises(ValidationError) as ex:
        validate_files(None, indicators=write(tmp_path, "i.csv", "city,year\nA,2015\n"))
    assert messages(ex) == ["i.csv:1: no indicator columns besides city and year"]


def test_aliases_are_case_insensitive(tmp_path):
    c = write(tmp_path, "c.csv", "City,Chinese Name,Province,Latitude,Longitude\nShenyang,沈阳,Liaoning,41.8,123.4\n")
    b = validate_files(None, cities=c)
    assert b.cities.iloc[0].tolist() == ["Shenyang", "沈阳", "Liaoning", 41.8, 123.4]


def test_series_frequency_rules(tmp_path):
    s = write(tmp_path, "s.csv", "region,period,freq,x\nL,2015Q2,Q,1\nL,2015Q1,,2\nM,2015,A,3\nL,2015q2,,4\nM,2016Q1,,5\nN,2015,Q,6\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, series=s)
    assert messages(ex) == ["s.csv:5:period: duplicate ('L', 2015Q2) (first on line 2)",
                            "s.csv:6:period: region 'M' mixes frequencies (A on line 4, Q here)",
                            "s.csv:7:freq: freq 'Q' disagrees with period '2015' (A)"]


def test_nothing_given_is_an_error():
    from cultnet.errors import CultnetError

    with pytest.raises(CultnetError, match="Nothing to load"):
        validate_files(None)
