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
        "i.csv:3:city: unknown city 'Z' (not in the study nor in the cities file of this load)",
        "i.csv:3:gdp: gdp 'x' is not a number",
        "i.csv:4:year: year '2015.5' is not an integer",
        "i.csv:4:gdp: gdp is infinite",
        "e.csv:2:source: self-loop: source and target are both 'A'",
        "e.csv:3:weight: weight -1 is negative",
        "e.csv:4:weight: weight is NaN or missing",
        "e.csv:5:weight: weight 2e+12 is absurdly large (> 1e+12)",
        "e.csv:6:target: unknown city 'Q' (not in the study nor in the cities file of this load)",
    ]
    assert "14 problem(s) found in the input; nothing was written to the store." in str(ex.value)
    assert ex.value.exit_code == 2


def test_unknown_endpoints_are_reported_once_levels_are_decided(tmp_path):
    c = write(tmp_path, "c.csv", CITIES)
    ent = write(tmp_path, "ent.csv", "id,name,city\nE1,a,Shenyang\nE2,b,大连\nE3,c,Shenyan\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c, enterprises=ent)
    assert messages(ex) == ["ent.csv:4:city: enterprise 'E3' is in unknown city 'Shenyan' (not in the study "
                            "nor in the cities file of this load); did you mean 'Shenyang'?"]
    ent = write(tmp_path, "ent.csv", "id,name,city\nE1,a,Shenyang\nE2,b,大连\nE3,c,Anshan\n")
    e = write(tmp_path, "e.csv", "source,target\nE1,E2\nE2,E9\nE3,Dalian\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c, enterprises=ent, edges=e)
    assert messages(ex) == [
        "e.csv:3:target: unknown enterprise 'E9' (not in the study nor in the enterprises file of this load)",
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


def refused(target=None, **files) -> list[str]:
    """The problems validate_files reports, as text (it must refuse)."""
    with pytest.raises(ValidationError) as ex:
        validate_files(target, **files)
    return messages(ex)


# -- issue 11 item 6 (input side): formula-like values -------------------------------------------

@pytest.mark.parametrize("s, is_formula", [
    ("-2+cmd|' /C calc'!A0", True), ("+2+cmd|' /C calc'!A0", True), ("- Shenyang branch", True),
    ("@home", True), ("=", True), ("-1.5e3", False), ("+1 (800) 555-0100", False), ("--", False),
    ("-", False), ("-2015-01", False), ("  =1", True),
])
def test_formula_detection_signs(s, is_formula):
    assert looks_like_formula(s) is is_formula


def test_a_minus_prefixed_formula_is_refused_as_enterprise_id_and_city_name(tmp_path):
    c = write(tmp_path, "c.csv", "name,lat,lon\n\"+1+cmd|' /C calc'!A0\",1,1\n")
    e = write(tmp_path, "e.csv", "id,name,city\n\"-2+cmd|' /C calc'!A0\",Alpha,Shenyang\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c, enterprises=e)
    shown = messages(ex)
    assert shown[0].startswith("c.csv:2:name: city name \"+1+cmd|' /C calc'!A0\" looks like a spreadsheet formula")
    assert any(s.startswith("e.csv:2:id: enterprise id \"-2+cmd|' /C calc'!A0\" looks like") for s in shown)


# -- issue 11 smaller ones: NFC, invisible characters, name_zh taking over a name, aliases -------

def test_nfc_makes_one_name_of_composed_and_decomposed_text(tmp_path):
    c = write(tmp_path, "c.csv", "name,lat,lon\nZu\u0308rich,47.37,8.54\n")
    i = write(tmp_path, "i.csv", "city,year,gdp\nZ\u00fcrich,2016,1\n")
    b = validate_files(None, cities=c, indicators=i)
    assert b.cities["name"].tolist() == ["Z\u00fcrich"] and b.indicators["city"].tolist() == ["Z\u00fcrich"]


@pytest.mark.parametrize("ch, named", [
    ("\u200b", "U+200B (ZERO WIDTH SPACE)"), ("\u200d", "U+200D (ZERO WIDTH JOINER)"),
    ("\u2060", "U+2060 (WORD JOINER)"), ("\u00ad", "U+00AD (SOFT HYPHEN)"),
    ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"), ("\u2067", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    ("\u200f", "U+200F (RIGHT-TO-LEFT MARK)"), ("\u061c", "U+061C (ARABIC LETTER MARK)"),
    ("\u0085", "U+0085 (a C1 control character)"), ("\u009b", "U+009B (a C1 control character)"),
    ("\x07", "U+0007 (a control character)"), ("\u2028", "U+2028 (LINE SEPARATOR)"),
    ("\ufe0f", "U+FE0F (VARIATION SELECTOR-16)"), ("\u3164", "U+3164 (HANGUL FILLER)"),
    ("\ue000", "U+E000 (unnamed)"),
])
def test_invisible_and_control_characters_in_names_are_refused(tmp_path, ch, named):
    c = write(tmp_path, "c.csv", f"name,lat,lon\nTie{ch}ling,42.29,123.84\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c)
    (p,) = ex.value.problems
    assert (p.line, p.column) == (2, "name") and named in p.reason


def test_visible_unicode_names_are_fine(tmp_path):
    c = write(tmp_path, "c.csv", "name,name_zh,lat,lon\nÜrümqi,乌鲁木齐,43.8,87.6\nSão Paulo,圣保罗,-23.5,-46.6\n")
    assert validate_files(None, cities=c).cities["name"].tolist() == ["Ürümqi", "São Paulo"]


def test_name_zh_may_not_take_over_another_citys_name(tmp_path):
    c = write(tmp_path, "c.csv", "name,name_zh,lat,lon\nDalian,大连,38.9,121.6\n大连,Dalian,38.9,121.6\n")
    assert refused(None, cities=c) == [
        "c.csv:2:name_zh: name_zh '大连' of city 'Dalian' is the name of another city (line 3): two cities "
        "would answer to '大连'",
        "c.csv:3:name_zh: name_zh 'Dalian' of city '大连' is the name of another city (line 2): two cities "
        "would answer to 'Dalian'"]
    same = write(tmp_path, "s.csv", "name,name_zh,lat,lon\n大连,大连,38.9,121.6\n")  # its own name: fine
    assert validate_files(None, cities=same).cities["name_zh"].tolist() == ["大连"]


class View:
    """A study view made of plain frames (the duck-typed interface validate_files reads)."""

    def __init__(self, name="shanxi", **frames):
        self.name = name
        self.frames = frames

    def __getattr__(self, what):
        if what in ("cities", "enterprises", "indicators", "series", "edge_sets", "datasets"):
            return lambda: self.frames.get(what)
        raise AttributeError(what)


SHANXI = pd.DataFrame({"name": ["Taiyuan", "Datong", "Yangquan"], "name_zh": ["太原", "大同", "阳泉"],
                       "province": "Shanxi", "lat": [37.87, 40.08, 37.86], "lon": [112.55, 113.3, 113.58]})


def test_name_and_name_zh_clashes_with_the_study(tmp_path):
    c = write(tmp_path, "c.csv", "name,name_zh,lat,lon\n大同,,40.1,113.3\nJinzhong,太原,37.7,112.75\n")
    assert refused(View(cities=SHANXI), cities=c) == [
        "c.csv:2:name: city '大同' is the name_zh of city 'Datong' in the study: two cities would answer to "
        "'大同'; use the name 'Datong' to mean that city",
        "c.csv:3:name_zh: name_zh '太原' of city 'Jinzhong' is already the name_zh of city 'Taiyuan' in the study"]


def test_ambiguous_aliases_are_refused_naming_both(tmp_path):
    c = write(tmp_path, "c.csv", "City,Name,lat,lon\nA,B,1,1\n")
    e = write(tmp_path, "e.csv", "source,from,to\nA,B,C\n")
    assert refused(None, cities=c, edges=e) == [
        "c.csv:1:City: columns 'Name' and 'City' both mean 'name' in the cities file: keep one, or rename the "
        "other (a column name cannot be chosen silently)",
        "e.csv:1:from: columns 'source' and 'from' both mean 'source' in the edges file: keep one, or rename "
        "the other (a column name cannot be chosen silently)"]


# -- issue 15 item 4: every problem in one pass, grouped and capped ----------------------------

def test_a_bad_weight_and_an_unknown_city_are_both_reported(tmp_path):
    e = write(tmp_path, "e.csv", "source,target,weight\nShenyang,Dalian,often\nShenyang,Atlantis,2\n")
    assert refused(None, cities=GOOD / "cities.csv", edges=e) == ["e.csv:2:weight: weight 'often' is not a number",
                            "e.csv:3:target: unknown city 'Atlantis' (not in the study nor in the cities file "
                            "of this load)"]


def test_many_problems_are_grouped_by_file_and_sort_and_counted(tmp_path):
    rows = "".join(f"C{k},{2000 + k % 20},x\n" for k in range(3000))
    i = write(tmp_path, "i.csv", "city,year,gdp\n" + rows)
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=GOOD / "cities.csv", indicators=i)
    err = ex.value
    assert err.count == 6000  # 3000 unknown cities + 3000 non-numbers, all counted
    assert len(err.problems) == 200  # 100 listed of each sort
    lines = err.lines(per_kind=3)
    assert lines[:3] == ["i.csv:2:city: unknown city 'C0' (not in the study nor in the cities file of this load)",
                         "i.csv:3:city: unknown city 'C1' (not in the study nor in the cities file of this load)",
                         "i.csv:4:city: unknown city 'C2' (not in the study nor in the cities file of this load)"]
    assert "i.csv: ... and 2,997 more like this: unknown city '…' (not in the study nor in the cities file of " \
           "this load)" in lines
    assert "i.csv: ... and 2,997 more like this: gdp '…' is not a number" in lines
    assert str(err).startswith("6000 problem(s) found in the input; nothing was written to the store.")


def test_the_message_names_analysis_input_and_the_flag_that_fixes_it():
    from cultnet.errors import Problem, analysis_input

    err = ValidationError([Problem("panel.csv", None, "city", "column 'city' not found (have: region, year, y)")])
    told = err.with_context(analysis_input({"city": "--entity", "year": "--time"}))
    assert told.summary == "1 problem(s) found in the analysis input; nothing was analysed."
    assert "nothing was written to the store" not in told.user_message
    assert told.hints() == ["hint: if the file calls the 'city' column something else, name it with --entity COLUMN"]
    assert told.user_message.endswith(told.hints()[0])


def test_suggestions_come_from_the_studys_own_names(tmp_path):
    i = write(tmp_path, "i.csv", "city,year,gdp\nTaiyuen,2016,1\nDalain,2016,2\n")
    assert refused(View(cities=SHANXI), indicators=i) == [
        "i.csv:2:city: unknown city 'Taiyuen' (not in the study nor in the cities file of this load); did you "
        "mean 'Taiyuan'?",
        "i.csv:3:city: unknown city 'Dalain' (not in the study nor in the cities file of this load)"]


def test_references_are_not_checked_against_an_unreadable_cities_file(tmp_path):
    c = write(tmp_path, "c.csv", "name,lat\nA,1\n")  # no lon: the file cannot be used
    i = write(tmp_path, "i.csv", "city,year,gdp\nA,2016,1\nB,2016,x\n")
    with pytest.raises(ValidationError) as ex:
        validate_files(None, cities=c, indicators=i)
    shown = messages(ex)
    assert shown[0].startswith("c.csv:1: missing column 'lon'")
    assert shown[1:] == ["i.csv: references were not checked: c.csv has problems that stop it from being read; "
                         "fix it first", "i.csv:3:gdp: gdp 'x' is not a number"]


# -- issue 15 item 5: a cities file is optional when the study has none ----------------------------

def test_indicators_and_edges_introduce_the_cities_of_an_empty_study(tmp_path):
    i = write(tmp_path, "i.csv", "city,year,gdp\nTaiyuan,2016,1\nDatong,2016,2\nShuozhou,2016,3\n")
    e = write(tmp_path, "e.csv", "Taiyuan Datong 3\nDatong Jinzhong 1\n")
    b = validate_files(None, indicators=i, edges=e, study="shanxi")
    assert b.cities["name"].tolist() == ["Taiyuan", "Datong", "Shuozhou", "Jinzhong"]
    assert b.cities[["lat", "lon"]].isna().all().all() and b.cities["name_zh"].isna().all()
    assert b.introduced == ("Taiyuan", "Datong", "Shuozhou", "Jinzhong") and b.study == "shanxi"
    assert b.city_links.values.tolist() == [["Datong", "Taiyuan", 3.0, 0, "observed"],
                                            ["Datong", "Jinzhong", 1.0, 0, "observed"]]
    assert "4 entities created, no coordinates: the cities named in i.csv, e.csv (the study 'shanxi' had " \
           "none and no cities file was given)" in b.notes


def test_edges_alone_introduce_cities_and_enterprises_introduce_their_cities(tmp_path):
    e = write(tmp_path, "e.csv", "source,target\nA,B\n")
    b = validate_files(View(name="x"), edges=e)
    assert b.cities["name"].tolist() == ["A", "B"] and b.city_links["source"].tolist() == ["A"]
    ent = write(tmp_path, "ent.csv", "id,name,city\nE1,a,Taiyuan\nE2,b,Datong\n")
    coop = write(tmp_path, "coop.csv", "source,target,weight\nE1,E2,2\n")
    b = validate_files(None, enterprises=ent, edges=coop)
    assert b.cities["name"].tolist() == ["Taiyuan", "Datong"]
    assert b.city_links.values.tolist() == [["Taiyuan", "Datong", 2.0, 0, "cooperation"]]  # csv: directed


def test_a_study_with_cities_keeps_unknown_names_errors(tmp_path):
    i = write(tmp_path, "i.csv", "city,year,gdp\nTaiyuan,2016,1\nLinfen,2016,2\n")
    assert refused(View(cities=SHANXI), indicators=i) == ["i.csv:3:city: unknown city 'Linfen' (not in the study nor in the cities file of "
                            "this load)"]
    c = write(tmp_path, "c.csv", "name,lat,lon\nTaiyuan,37.87,112.55\n")  # a cities file in the load
    with pytest.raises(ValidationError):
        validate_files(None, cities=c, indicators=i)


def test_look_alike_introduced_names_are_noted(tmp_path):
    i = write(tmp_path, "i.csv", "city,year,gdp\nShenyang,2016,1\nShenyan,2016,2\n")
    b = validate_files(None, indicators=i)
    assert "created names that look alike (typos?): 'Shenyang' and 'Shenyan'" in b.notes


# -- DESIGN section 2 and 4: conflicts with what the study already holds ------------------------

def test_an_indicator_value_that_differs_from_another_dataset_is_refused(tmp_path):
    old = pd.DataFrame({"city": ["Taiyuan", "Taiyuan"], "year": [2016, 2017], "gdp": [1.0, 2.0],
                        "pop": [3.5, float("nan")], "dataset": ["ds-aaaa", "ds-aaaa"]})
    i = write(tmp_path, "i.csv", "city,year,gdp,pop\nTaiyuan,2016,1,3.5\n太原,2017,2.5,4\nDatong,2016,9,9\n")
    assert refused(View(cities=SHANXI, indicators=old), indicators=i) == [
        "i.csv:3:gdp: Taiyuan 2017: gdp = 2.5 here but 2 in dataset ds-aaaa of study 'shanxi'; delete that "
        "dataset first (`cultnet delete-dataset ds-aaaa`) or load into another study (--study NAME)"]
    same = write(tmp_path, "same.csv", "city,year,gdp\nTaiyuan,2016,1.0000000000000002\nTaiyuan,2018,7\n")
    assert len(validate_files(View(cities=SHANXI, indicators=old), indicators=same).indicators) == 2


def test_city_attributes_and_enterprise_cities_must_agree_with_the_study(tmp_path):
    old_ent = pd.DataFrame({"id": ["E1"], "name": ["Alpha"], "city": ["Taiyuan"]})  # no dataset column
    c = write(tmp_path, "c.csv", "name,name_zh,province,lat,lon\nTaiyuan,太原,Shanxi,37.9,112.55\n")
    e = write(tmp_path, "e.csv", "id,name,city\nE1,Alpha,Datong\nE2,Beta,Datong\n")
    assert refused(View(cities=SHANXI, enterprises=old_ent), cities=c, enterprises=e) == [
        "c.csv:2:lat: city 'Taiyuan': lat = 37.9 here but 37.87 in another dataset of study 'shanxi'; delete "
        "that dataset first (`cultnet delete-dataset ID`) or load into another study (--study NAME)",
        "e.csv:2:city: enterprise 'E1' is in 'Datong' here but in 'Taiyuan' in another dataset of study "
        "'shanxi': an enterprise may not move city; delete that dataset first (`cultnet delete-dataset ID`) "
        "or load into another study (--study NAME)"]


def test_edge_direction_must_agree_with_the_studys_edge_set(tmp_path):
    sets = pd.DataFrame({"level": ["city"], "method": ["observed"], "directed": [False],
                         "years": [[0]], "datasets": [["ds-bbbb"]], "edges": [4]})
    e = write(tmp_path, "e.csv", "source,target\nTaiyuan,Datong\n")  # csv: directed by default
    assert refused(View(cities=SHANXI, edge_sets=sets), edges=e) == [
        "e.csv: this file reads as directed city observed edges, but study 'shanxi' holds them undirected "
        "(dataset(s) ds-bbbb): load it with --undirected to match, delete those datasets first (`cultnet "
        "delete-dataset ID`), or load into another study (--study NAME)"]
    b = validate_files(View(cities=SHANXI, edge_sets=sets), edges=e, directed=False)
    assert b.directed is False and b.edge_sets() == [("city", "observed", False)]


def test_the_dataset_id_includes_the_study(tmp_path):
    a = validate_files(None, cities=GOOD / "cities.csv", study="a").dataset_id
    assert validate_files(None, cities=GOOD / "cities.csv", study="b").dataset_id != a
    assert validate_files(None, cities=GOOD / "cities.csv", study="a").dataset_id == a


@pytest.mark.parametrize("n, k, directed", [(1000, 30, True), (50_000, 300, False), (10, 3, False), (1, 1, True)])
def test_summing_on_codes_equals_pandas_groupby(n, k, directed):
    """The memory-lean sum (one int64 key, duplicated keys only) against the plain pandas
    groupby the earlier implementation used: same rows, same order (first appearance)."""
    import numpy as np

    from cultnet.etl.validate import sum_codes

    rng = np.random.default_rng(n)
    src, dst = rng.integers(0, k, n).astype(np.int32), rng.integers(0, k, n).astype(np.int32)
    year = rng.choice([0, 2015, 2016], n).astype(np.int16)
    w = rng.integers(1, 5, n).astype(float)
    names = np.asarray([f"N{j:03d}" for j in range(k)], dtype=object)
    out, merged = sum_codes(src, dst, year, w, names, directed)
    e = pd.DataFrame({"source": names[src], "target": names[dst], "weight": w, "year": year.astype(int)})
    if not directed:
        sw = e["source"] > e["target"]
        e.loc[sw, ["source", "target"]] = e.loc[sw, ["target", "source"]].values
    ref = e.groupby(["source", "target", "year"], sort=False, as_index=False)["weight"].sum()
    assert out.values.tolist() == ref[["source", "target", "weight", "year"]].values.tolist()
    assert merged == n - len(ref)


def test_city_links_from_codes_equals_the_frame_version():
    import numpy as np

    from cultnet.etl.validate import city_links_from_codes, sum_codes

    rng = np.random.default_rng(3)
    n, k = 20_000, 400
    names = np.asarray([f"E{j:04d}" for j in range(k)], dtype=object)
    city = {x: ["A", "B", "C", "D"][j % 4] for j, x in enumerate(names)}
    src, dst = rng.integers(0, k, n).astype(np.int32), rng.integers(0, k, n).astype(np.int32)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    year = rng.choice([2015, 2016], len(src)).astype(np.int16)
    w = rng.integers(1, 9, len(src)).astype(float)
    for directed in (True, False):
        summed, _, codes = sum_codes(src, dst, year, w, names, directed, codes=True)
        a = city_links_from_codes(*codes, names, city, directed, slice_rows=1000)
        b = cooperation_to_city_links(summed, city, directed)
        assert a.values.tolist() == b.values.tolist()
