"""Validation against the study a load goes into, on both real stores (issue 15 items 4 and 5,
DESIGN sections 2 and 4): values another dataset of the study gave must agree, an enterprise
may not move city, an edge set keeps one direction, a study without cities gets them from the
references, and suggestions come from the study's own names only."""

from __future__ import annotations

from pathlib import Path

import pytest

from cultnet.errors import ValidationError
from cultnet.etl.load import load_files, validate_files

CITIES = ("name,name_zh,province,lat,lon\nTaiyuan,太原,Shanxi,37.87,112.55\n"
          "Datong,大同,Shanxi,40.08,113.30\nYangquan,阳泉,Shanxi,37.86,113.58\n")
INDICATORS = "city,year,gdp,pop\nTaiyuan,2016,1.5,4.2\nDatong,2016,0.9,3.1\n"
ENTERPRISES = "id,name,city\nE1,Jinyang Media,Taiyuan\nE2,Yungang Arts,Datong\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def refused(store, study: str, **files) -> list[str]:
    with pytest.raises(ValidationError) as e:
        validate_files(store, study=study, **files)
    return [str(p) for p in e.value.problems]


@pytest.fixture
def shanxi(store, tmp_path):
    """The store with the study ``shanxi``: cities, indicators and enterprises in one dataset."""
    out = load_files(store, cities=write(tmp_path, "c.csv", CITIES), indicators=write(tmp_path, "i.csv", INDICATORS),
                     enterprises=write(tmp_path, "e.csv", ENTERPRISES), study="shanxi")
    return store, out["dataset_id"]


def test_values_that_differ_from_another_dataset_are_refused(shanxi, tmp_path):
    store, ds = shanxi
    i = write(tmp_path, "i2.csv", "city,year,gdp,pop\nTaiyuan,2016,1.5,4.2\n大同,2016,1.0,3.1\nTaiyuan,2017,2,4.3\n")
    shown = refused(store, "shanxi", indicators=i)
    assert shown == [f"i2.csv:3:gdp: Datong 2016: gdp = 1 here but 0.9 in another dataset of study 'shanxi' "
                     f"({ds}); delete that dataset first (`cultnet delete-dataset ID`) or load into another "
                     "study (--study NAME)"]
    ok = write(tmp_path, "i3.csv", "city,year,gdp\nTaiyuan,2016,1.5\nTaiyuan,2017,2\n")  # equal values: fine
    assert len(validate_files(store, study="shanxi", indicators=ok).indicators) == 2
    c = write(tmp_path, "c2.csv", "name,province,lat,lon\nTaiyuan,Shanxi,37.9,112.55\n")
    assert refused(store, "shanxi", cities=c)[0].startswith(
        "c2.csv:2:lat: city 'Taiyuan': lat = 37.9 here but 37.87 in another dataset of study 'shanxi'")
    # another study holds nothing: the same files are fine there
    validate_files(store, study="elsewhere", indicators=write(tmp_path, "i4.csv", "city,year,gdp\nTaiyuan,2016,9\n"))


def test_an_enterprise_may_not_move_city(shanxi, tmp_path):
    store, ds = shanxi
    e = write(tmp_path, "e2.csv", "id,name,city\nE1,Jinyang Media,Datong\nE3,New Firm,Yangquan\n")
    assert refused(store, "shanxi", enterprises=e) == [
        f"e2.csv:2:city: enterprise 'E1' is in 'Datong' here but in 'Taiyuan' in another dataset of study "
        f"'shanxi' ({ds}): an enterprise may not move city; delete that dataset first (`cultnet "
        "delete-dataset ID`) or load into another study (--study NAME)"]


def test_an_edge_set_keeps_one_direction(shanxi, tmp_path):
    store, _ = shanxi
    first = load_files(store, edges=write(tmp_path, "links.txt", "Taiyuan Datong 2\nDatong Yangquan 1\n"),
                       study="shanxi")  # triples: undirected
    assert store.study("shanxi").directed("city", "observed") is False
    directed_csv = write(tmp_path, "more.csv", "source,target,weight\nTaiyuan,Yangquan,3\n")
    assert refused(store, "shanxi", edges=directed_csv) == [
        "more.csv: this file reads as directed city observed edges, but study 'shanxi' holds them "
        f"undirected (dataset(s) {first['dataset_id']}): load it with --undirected to match, delete those "
        "datasets first (`cultnet delete-dataset ID`), or load into another study (--study NAME)"]
    b = validate_files(store, study="shanxi", edges=directed_csv, directed=False)
    assert b.edge_sets() == [("city", "observed", False)]


def test_references_introduce_the_cities_of_an_empty_study(store, tmp_path):
    i = write(tmp_path, "i.csv", "city,year,gdp\nTaiyuan,2016,1\nDatong,2016,2\n")
    e = write(tmp_path, "e.txt", "Taiyuan Datong 3\nDatong Shuozhou 1\n")
    out = load_files(store, indicators=i, edges=e, study="fresh")
    assert any(n.startswith("3 entities created, no coordinates") for n in out["notes"])
    s = store.study("fresh")
    cities = s.cities().set_index("name")
    assert sorted(cities.index) == ["Datong", "Shuozhou", "Taiyuan"]
    assert cities["lat"].isna().all() and cities["lon"].isna().all()
    assert len(s.edges("city")) == 2 and len(s.indicators()) == 2
    g = s.to_igraph()
    assert sorted(g.vs["name"]) == ["Datong", "Shuozhou", "Taiyuan"] and g.ecount() == 2
    # now the study has cities: an unknown name is an error, a cities file may add coordinates
    assert refused(store, "fresh", indicators=write(tmp_path, "i2.csv", "city,year,gdp\nLinfen,2016,1\n")) == [
        "i2.csv:2:city: unknown city 'Linfen' (not in the study nor in the cities file of this load)"]
    load_files(store, cities=write(tmp_path, "c.csv", "name,lat,lon\nTaiyuan,37.87,112.55\n"), study="fresh")
    assert s.cities().set_index("name").loc["Taiyuan", "lat"] == pytest.approx(37.87)


def test_suggestions_come_from_the_studys_own_names(shanxi, tmp_path):
    store, _ = shanxi
    load_files(store, cities=write(tmp_path, "ln.csv", "name,lat,lon\nDalian,38.91,121.61\nShenyang,41.8,123.43\n"),
               study="liaoning")
    i = write(tmp_path, "i.csv", "city,year,gdp\nTaiyuen,2016,1\nDalain,2016,2\n")
    assert refused(store, "shanxi", indicators=i) == [
        "i.csv:2:city: unknown city 'Taiyuen' (not in the study nor in the cities file of this load); did "
        "you mean 'Taiyuan'?",
        "i.csv:3:city: unknown city 'Dalain' (not in the study nor in the cities file of this load)"]
