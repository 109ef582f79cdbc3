"""cultnet.etl.write: Pajek / GraphML / GEXF / CSV written from store-shaped frames and read back."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from cultnet.etl.read import read_edge_file
from cultnet.etl.write import write_network

NODES = pd.DataFrame({"name": ["Shenyang", 'Da "lian"', "Anshan", "Tieling"],
                      "name_zh": ["沈阳", "大连", "鞍山", None], "lat": [41.8, 38.9, float("nan"), 42.3]})
EDGES = pd.DataFrame({"source": ["Shenyang", "Shenyang", 'Da "lian"', "Anshan"],
                      "target": ['Da "lian"', 'Da "lian"', "Anshan", "Shenyang"],
                      "weight": [1.5, 2.0, 1e-3, 7.0], "year": [2015, 2016, 2015, 2016],
                      "method": ["cooperation"] * 4})


def test_pajek_round_trip_sums_years(tmp_path):
    p = tmp_path / "c.net"
    counts = write_network(EDGES, NODES, p, "pajek", directed=True, comment="test export")
    assert counts == {"nodes": 4, "edges": 3}
    text = p.read_text(encoding="utf-8")
    assert text.startswith("% test export\n*Vertices 4\n1 \"Shenyang\"\n2 \"Da 'lian'\"\n")
    e, directed = read_edge_file(p)
    assert directed is True
    assert e.attrs["vertices"] == ["Shenyang", "Da 'lian'", "Anshan", "Tieling"]
    assert list(zip(e["source"], e["target"], e["weight"])) == [
        ("Shenyang", "Da 'lian'", 3.5), ("Da 'lian'", "Anshan", 1e-3), ("Anshan", "Shenyang", 7.0)]


def test_graphml_and_gexf_keep_node_attributes(tmp_path):
    for fmt, reader in [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)]:
        p = tmp_path / f"c.{fmt}"
        write_network(EDGES, NODES, p, fmt, directed=True)
        g = reader(p)
        assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
        assert g["Shenyang"]['Da "lian"']["weight"] == pytest.approx(3.5)
        assert g.nodes["Shenyang"]["name_zh"] == "沈阳"
        assert "lat" not in g.nodes["Anshan"]  # NaN attributes are left out
        assert float(g.nodes["Tieling"]["lat"]) == pytest.approx(42.3)


def test_csv_keeps_rows(tmp_path):
    p = tmp_path / "c.csv"
    assert write_network(EDGES, NODES, p, "csv", directed=True) == {"nodes": 3, "edges": 4}
    back = pd.read_csv(p)
    assert back.values.tolist() == EDGES.values.tolist()


def test_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unknown export format"):
        write_network(EDGES, NODES, tmp_path / "x", "dot", directed=True)
