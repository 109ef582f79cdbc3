"""Reserved and unsafe property names (issue 11 item 2): one list (cultnet.names), the names the
store writes for its bookkeeping read from graph/queries, and every table refusing them with the
file and the column named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cultnet.errors import ValidationError
from cultnet.etl.load import validate_files
from cultnet.names import BOOKKEEPING, DATA_KEYS, RESERVED_PREFIXES, reserved_reason, safe_name

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "graph" / "queries"
GOOD = ROOT / "tests" / "data" / "good"

_VAR = re.compile(r"[(\[](\w+):(\w+)")
_ASSIGN = re.compile(r"\b([a-z]\w*)\.(\w+)\s*=(?!=)")
_PATTERN_PROPS = re.compile(r"[(\[](\w+):(\w+)\s*\{([^}]*)\}")


def written_properties() -> set[tuple[str, str]]:
    """(label or 'relationship', property) for every property a query in graph/queries writes
    by name (``SET x.p = ...``, ``MERGE (x:L {p: ...})``, ``CREATE ...``); ``SET x += map``
    writes user columns and is what the checks protect."""
    out: set[tuple[str, str]] = set()
    for q in sorted(QUERIES.glob("*.cypher")):
        text = "\n".join(ln for ln in q.read_text(encoding="utf-8").splitlines() if not ln.lstrip().startswith("//"))
        labels = {var: lab for var, lab in _VAR.findall(text)}
        rel_vars = {var for var, lab in re.findall(r"\[(\w+):(\w+)", text)}
        for var, prop in _ASSIGN.findall(text):  # (a WHERE x.p = ... is read as a write too: stricter)
            kind = "relationship" if var in rel_vars else labels.get(var, "any node or relationship")
            out.add((kind, prop))
        for var, lab, body in _PATTERN_PROPS.findall(text):
            kind = "relationship" if var in rel_vars else lab
            for prop in re.findall(r"(\w+)\s*:", body):
                out.add((kind, prop))
    return out


def test_the_store_writes_no_property_that_is_not_listed():
    """A new bookkeeping property in graph/queries must be added to cultnet.names.BOOKKEEPING
    (so that etl refuses it as a column name) or be a data key."""
    props = written_properties()
    assert ("Observation", "key") in props and ("City", "datasets") in props  # the parser sees them
    # Dataset, Study and Meta nodes are the store's own: no user column becomes their property
    unlisted = sorted((kind, p) for kind, p in props
                      if kind not in ("Dataset", "Study", "Meta") and p not in BOOKKEEPING
                      and p not in DATA_KEYS.get(kind, ()))
    assert unlisted == []


def test_graph_reads_drop_the_same_list():
    from cultnet.graph import _cypher

    assert _cypher.BOOKKEEPING is BOOKKEEPING


@pytest.mark.parametrize("name", ["datasets", "dataset", "Datasets", "key", "KEY", "study", "run_id",
                                  "_x", "__proto__", "sna_degree", "SNA_Betweenness"])
def test_reserved(name):
    assert reserved_reason(name) is not None


@pytest.mark.parametrize("name, fix", [("a`b", "a_b"), ("GDP (yuan)", "GDP_yuan"), ("2015", "c2015"),
                                       ("x y", "x_y"), ("a.b", "a_b"), ("a'b", "a_b"), ("x" * 65, "x" * 64),
                                       ("a-b", "a_b")])
def test_unsafe_names_suggest_a_safe_one(name, fix):
    assert reserved_reason(name) is not None
    assert safe_name(name) == fix
    assert reserved_reason(safe_name(name)) is None


@pytest.mark.parametrize("name", ["gdp_pc", "culture_output", "人口", "GDP2015", "Zürich_share", "x"])
def test_safe_names(name):
    assert reserved_reason(name) is None


def test_observation_keys_are_reserved_for_value_columns():
    assert reserved_reason("region", node="Observation") is not None
    assert reserved_reason("region", node="City") is None
    assert RESERVED_PREFIXES == ("_", "sna_")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("column", ["datasets", "dataset", "key", "study", "run_id", "_hidden", "sna_degree",
                                    "a`b", "GDP (yuan)"])
@pytest.mark.parametrize("role", ["cities", "indicators", "enterprises", "series"])
def test_every_table_refuses_reserved_columns_naming_file_and_column(tmp_path, role, column):
    head = {"cities": "name,lat,lon", "indicators": "city,year", "enterprises": "id,name,city",
            "series": "region,period"}[role]
    row = {"cities": "Tieling,42.29,123.84", "indicators": "Shenyang,2017", "enterprises": "E40,Alpha,Shenyang",
           "series": "Liaoning,2015Q1"}[role]
    quoted = '"' + column + '"' if " " in column else column
    p = _write(tmp_path, f"{role}.csv", f"{head},ok_value,{quoted}\n{row},1,2\n")
    ctx = {} if role in ("cities", "series") else {"cities": GOOD / "cities.csv"}
    with pytest.raises(ValidationError) as e:
        validate_files(None, **ctx, **{role: p})
    shown = [str(x) for x in e.value.problems]
    assert shown[0].startswith(f"{role}.csv:1:{column}: column {column!r} ")
    assert len(shown) == 1, shown  # the refused column's values are not checked, ok_value is fine


def test_a_key_column_is_never_dropped_silently(tmp_path):
    p = _write(tmp_path, "i.csv", "city,year,gdp,key\nShenyang,2017,1,5\n")
    with pytest.raises(ValidationError) as e:
        validate_files(None, cities=GOOD / "cities.csv", indicators=p)
    assert [str(x) for x in e.value.problems] == [
        "i.csv:1:key: column 'key' is reserved: the store uses it for its own bookkeeping "
        "(dataset, datasets, key, study, provenance, run_id); rename the column"]


def test_chinese_and_plain_extra_columns_are_kept(tmp_path):
    p = _write(tmp_path, "c.csv", "name,lat,lon,人口,gdp_pc\nTieling,42.29,123.84,300,5.5\n")
    b = validate_files(None, cities=p)
    assert b.cities[["人口", "gdp_pc"]].values.tolist() == [[300.0, 5.5]]
