"""Direction and isolates, from a file to the analysis and back to a file (issue 15 item 3).

Real files: the Pajek networks that ship inside the ``infomap`` wheel (a locked test dependency,
``infomap/datasets/data/*.net``; Infomap's example networks, mirrored from the format
documentation on mapequation.org). ``modular_wd.net`` is a valid directed, weighted Pajek file
(25 vertices, 48 arcs) written by another project; three independent readers (networkx, igraph,
Infomap's own C++ parser) and cultnet's must agree on it, and the round trip through every export
format must keep nodes, edges, weights, direction and measures. ``modular_w.net`` numbers its
vertices from 0, which Pajek does not allow: every reader must refuse it.

Networks this project writes are checked too: the issue's 4-vertex file with an isolated vertex
(density 2/12, not 2/6) and undirected exports (``*Edges``, ``edgedefault="undirected"``).
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import igraph as ig
import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from cultnet.errors import ValidationError
from cultnet.etl.read import read_edge_file
from cultnet.etl.write import write_network
from cultnet.graph.export import frame_to_igraph, stored_direction, vertex_frame
from cultnet.ui.cli import app

runner = CliRunner()
INFOMAP_DATA = files("infomap") / "datasets" / "data"


def real(name: str) -> Path:
    p = Path(str(INFOMAP_DATA / name))
    assert p.is_file(), f"{p} missing: the infomap test dependency ships it"
    return p


def cli_json(*args: str) -> dict:
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# ---------------------------------------------------------------------------------------------
# isolates
# ---------------------------------------------------------------------------------------------

ISOLATE_NET = '*Vertices 4\n1 "A"\n2 "B"\n3 "C"\n4 "D"\n*Arcs\n1 2 1\n2 3 1\n'


def test_isolated_vertex_of_a_pajek_file_is_a_node(tmp_path):
    p = tmp_path / "isolate.net"
    p.write_text(ISOLATE_NET)
    d = cli_json("network", "--edges", str(p))
    assert d["graph"]["directed"] is True
    assert len(d["nodes"]) == 4 and {n["name"] for n in d["nodes"]} == {"A", "B", "C", "D"}
    assert d["graph"]["density"] == pytest.approx(2 / 12)          # 0.1667, not 2/6
    assert round(d["graph"]["density"], 4) == 0.1667
    iso = next(n for n in d["nodes"] if n["name"] == "D")
    assert iso["degree"] == 0 and iso["betweenness"] == 0
    # networkx on the same file agrees
    g = nx.read_pajek(p)
    assert g.number_of_nodes() == 4 and nx.density(nx.DiGraph(g)) == pytest.approx(d["graph"]["density"])


def test_isolates_kept_by_every_command_on_a_file(tmp_path):
    p = tmp_path / "isolate.net"
    p.write_text(ISOLATE_NET.replace("*Arcs", "*Edges"))
    d = cli_json("network", "--edges", str(p))
    assert d["graph"]["directed"] is False and len(d["nodes"]) == 4
    assert d["graph"]["density"] == pytest.approx(2 / 6)           # undirected: m / (n(n-1)/2)
    roles = cli_json("roles", "--edges", str(p))["roles"]
    assert {r["name"] for r in roles} == {"A", "B", "C", "D"}
    assert cli_json("smallworld", "--edges", str(p), "--n-random", "2")["n"] in (3, 4)  # LCC stated


def test_export_keeps_isolated_cities(tmp_path):
    nodes = pd.DataFrame({"name": ["A", "B", "C", "D"], "lat": [1.0, 2.0, 3.0, 4.0]})
    edges = pd.DataFrame({"source": ["A", "B"], "target": ["B", "C"], "weight": [1.0, 2.0]})
    for fmt, reader in (("pajek", nx.read_pajek), ("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"x.{fmt}"
        assert write_network(edges, nodes, out, fmt, directed=True) == {"nodes": 4, "edges": 2}
        assert set(reader(out).nodes) == {"A", "B", "C", "D"}


# ---------------------------------------------------------------------------------------------
# direction: stored, written, re-read
# ---------------------------------------------------------------------------------------------

def test_undirected_export_writes_edges_and_merges_pairs(tmp_path):
    edges = pd.DataFrame({"source": ["A", "B", "B"], "target": ["B", "A", "C"], "weight": [1.0, 2.0, 4.0]})
    p = tmp_path / "u.net"
    assert write_network(edges, None, p, "pajek", directed=False) == {"nodes": 3, "edges": 2}
    text = p.read_text()
    assert "*Edges\n" in text and "*Arcs" not in text
    back, directed = read_edge_file(p)
    assert directed is False
    assert sorted(zip(back["source"], back["target"], back["weight"])) == [("A", "B", 3.0), ("B", "C", 4.0)]
    gi = ig.Graph.Read_Pajek(str(p))
    assert not gi.is_directed() and gi.ecount() == 2
    for fmt in ("graphml", "gexf"):
        q = tmp_path / f"u.{fmt}"
        write_network(edges, None, q, fmt, directed=False)
        g = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(q)
        assert not g.is_directed() and g["A"]["B"]["weight"] == pytest.approx(3.0)
    assert 'edgedefault="undirected"' in (tmp_path / "u.graphml").read_text()
    assert not ig.Graph.Read_GraphML(str(tmp_path / "u.graphml")).is_directed()


def test_stored_direction_rules():
    sorted_pairs = pd.DataFrame({"source": ["A", "A", "B"], "target": ["B", "C", "C"]})
    both_ways = pd.DataFrame({"source": ["A", "B", "C"], "target": ["B", "A", "A"]})
    assert stored_direction(sorted_pairs, method="gravity") is True
    assert stored_direction(both_ways, method="cooperation") is True     # from a directed file
    assert stored_direction(sorted_pairs, method="cooperation") is False
    assert stored_direction(sorted_pairs, method="observed") is False    # loaded undirected
    assert stored_direction(both_ways, method="observed") is True
    assert stored_direction(sorted_pairs, level="enterprise") is False


def test_direction_override_on_a_file(tmp_path):
    p = tmp_path / "isolate.net"
    p.write_text(ISOLATE_NET)
    assert cli_json("network", "--edges", str(p), "--undirected")["graph"]["directed"] is False
    p.write_text(ISOLATE_NET.replace("*Arcs", "*Edges"))
    d = cli_json("network", "--edges", str(p), "--directed")
    assert d["graph"]["directed"] is True and d["graph"]["arcs"] == 4   # each edge both ways


# ---------------------------------------------------------------------------------------------
# real files
# ---------------------------------------------------------------------------------------------

def _edge_set(g) -> dict[tuple[str, str], float]:
    """{(u, v): weight} of a networkx or igraph graph, vertices by label."""
    if isinstance(g, ig.Graph):
        lab = g.vs["name"] if "name" in g.vs.attributes() else g.vs["id"]
        w = g.es["weight"] if "weight" in g.es.attributes() else [1.0] * g.ecount()
        pairs = [(str(lab[e.source]), str(lab[e.target])) for e in g.es]
    else:
        pairs = [(str(u), str(v)) for u, v in g.edges()]
        w = [float(d.get("weight", 1.0)) for _, _, d in g.edges(data=True)]
    if not g.is_directed():
        pairs = [tuple(sorted(p)) for p in pairs]
    return {p: float(x) for p, x in zip(pairs, w)}


def _nx_measures(g: nx.DiGraph | nx.Graph) -> dict:
    b = nx.betweenness_centrality(g, normalized=True)
    return {"density": nx.density(g), "betweenness": {str(k): v for k, v in b.items()},
            "reciprocity": nx.reciprocity(g) if g.is_directed() else None}


def test_real_pajek_file_read_alike_by_four_readers():
    p = real("modular_wd.net")
    e, directed = read_edge_file(p)
    ours = frame_to_igraph(e, vertex_frame(e.attrs["vertices"]), directed=directed)
    g_nx = nx.DiGraph(nx.read_pajek(p))          # MultiDiGraph -> DiGraph (no parallel arcs here)
    g_ig = ig.Graph.Read_Pajek(str(p))
    import infomap

    g_im = infomap.datasets.modular_wd()
    assert directed is True and g_nx.is_directed() and g_ig.is_directed()
    assert ours.vcount() == g_nx.number_of_nodes() == g_ig.vcount() == g_im.num_nodes == 25
    assert ours.ecount() == g_nx.number_of_edges() == g_ig.ecount() == g_im.num_links == 48
    assert _edge_set(ours) == _edge_set(g_nx) == _edge_set(g_ig)
    assert sum(ours.es["weight"]) == pytest.approx(g_im.network.sumLinkWeight())


@pytest.mark.parametrize("directed_flag", [None, False])
def test_real_pajek_round_trip_through_every_format(tmp_path, directed_flag):
    """File -> cultnet analysis -> export (pajek, graphml, gexf) -> networkx and igraph: the same
    nodes, edges, weights, direction and measures. ``False``: the same file read with the
    ``--undirected`` override (mutual arcs merge, weights summed) and exported as ``*Edges``."""
    src = real("modular_wd.net")
    args = ["network", "--edges", str(src)] + ([] if directed_flag is None else ["--undirected"])
    before = cli_json(*args)
    directed = before["graph"]["directed"]
    assert directed is (directed_flag is None)
    e, _ = read_edge_file(src, directed=directed_flag)
    nodes = vertex_frame(e.attrs["vertices"])
    g0 = frame_to_igraph(e, nodes, directed=directed)
    want = _edge_set(g0)
    # undirected: the 5 mutual pairs (2-5, 3-6, 7-8, 11-13, 18-25) merge into one edge each
    assert len(want) == (48 if directed else 43) == nx.number_of_edges(
        (nx.DiGraph if directed else nx.Graph)(nx.read_pajek(src)))
    for fmt in ("pajek", "graphml", "gexf"):
        out = tmp_path / f"rt.{fmt}"
        counts = write_network(e, nodes, out, fmt, directed=directed)
        assert counts == {"nodes": 25, "edges": len(want)}
        readers = {"pajek": lambda f: nx.read_pajek(f), "graphml": nx.read_graphml,
                   "gexf": nx.read_gexf}
        g_nx = readers[fmt](out)
        g_nx = (nx.DiGraph if directed else nx.Graph)(g_nx)
        assert g_nx.is_directed() is directed, fmt
        assert set(map(str, g_nx.nodes)) == set(nodes["name"]), fmt
        assert _edge_set(g_nx) == pytest.approx(want), fmt
        if fmt in ("pajek", "graphml"):
            g_ig = ig.Graph.Read_Pajek(str(out)) if fmt == "pajek" else ig.Graph.Read_GraphML(str(out))
            assert g_ig.is_directed() is directed and g_ig.vcount() == 25, fmt
            assert _edge_set(g_ig) == pytest.approx(want), fmt
        m = _nx_measures(g_nx)
        assert before["graph"]["density"] == pytest.approx(m["density"], abs=1e-12), fmt
        if directed:
            assert before["graph"]["reciprocity"] == pytest.approx(m["reciprocity"], abs=1e-12)
        for n in before["nodes"]:
            assert n["betweenness"] == pytest.approx(m["betweenness"][n["name"]], abs=1e-12), fmt
        if fmt == "pajek":  # cultnet re-reads its own export to the same analysis
            after = cli_json("network", "--edges", str(out))
            assert after["graph"]["directed"] is directed
            assert after["graph"]["density"] == pytest.approx(before["graph"]["density"], abs=1e-15)
            assert [n["betweenness"] for n in after["nodes"]] == pytest.approx(
                [n["betweenness"] for n in before["nodes"]], abs=1e-15)


def test_invalid_real_file_is_refused_by_every_reader():
    """modular_w.net numbers its vertices from 0 (Infomap's link-list style under a Pajek
    header); Pajek vertex ids are 1..n, and networkx, igraph and cultnet all refuse it."""
    p = real("modular_w.net")
    with pytest.raises(Exception):
        nx.read_pajek(p)
    with pytest.raises(Exception):
        ig.Graph.Read_Pajek(str(p))
    with pytest.raises(ValidationError) as err:
        read_edge_file(p)
    text = str(err.value)
    assert "modular_w.net:1:" in text and "vertex count" in text
    r = runner.invoke(app, ["network", "--edges", str(p)])
    # the CLI reports what the reader found, with the file, line and reason
    assert r.exit_code == 2 and "modular_w.net:1:" in r.output and "vertex count" in r.output
