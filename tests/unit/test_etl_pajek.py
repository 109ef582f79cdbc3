"""cultnet.etl.pajek: files written by networkx and python-igraph, hand-written files exercising every
section, and every error with its line. Expected edges are written out by hand."""

from __future__ import annotations

from pathlib import Path

import igraph as ig
import networkx as nx
import pytest

from cultnet.errors import ValidationError
from cultnet.etl.pajek import read_pajek
from cultnet.etl.read import read_edge_file

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


def net(tmp_path: Path, text: str, name: str = "g.net") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8", newline="")
    return p


def triples(df) -> list[tuple]:
    return [(s, t, w) for s, t, w in zip(df["source"], df["target"], df["weight"])]


# -- files written by other tools ------------------------------------------------------------

@pytest.mark.parametrize("directed", [True, False])
def test_networkx_write_pajek(tmp_path, directed):
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_edge("Shen yang", "Dalian", weight=2.5)
    g.add_edge("Dalian", "Anshan", weight=1)
    g.add_edge("Anshan", "Fushun", weight=0.125)
    g.add_node("Tieling")  # isolated
    p = tmp_path / "nx.net"
    nx.write_pajek(g, p)
    e, d = read_edge_file(p)
    assert d is directed
    assert e.attrs["vertices"] == ["Shen yang", "Dalian", "Anshan", "Fushun", "Tieling"]
    expected = [("Shen yang", "Dalian", 2.5), ("Dalian", "Anshan", 1.0), ("Anshan", "Fushun", 0.125)]
    assert triples(e) == expected
    assert len(e) == g.number_of_edges() == 3


@pytest.mark.parametrize("directed", [True, False])
def test_igraph_write_pajek(tmp_path, directed):
    g = ig.Graph(n=4, edges=[(0, 1), (1, 2), (2, 0), (3, 0)], directed=directed)
    g.vs["name"] = ["Shenyang", "Dalian", "An shan", "Fushun"]
    g.es["weight"] = [1.5, 2.0, 3.25, 4.0]
    p = tmp_path / "ig.net"
    g.write_pajek(str(p))
    e, d = read_edge_file(p)
    assert d is directed
    assert len(e.attrs["vertices"]) == g.vcount() == 4
    assert len(e) == g.ecount() == 4
    expected = [("Shenyang", "Dalian", 1.5), ("Dalian", "An shan", 2.0),
                ("An shan", "Shenyang", 3.25), ("Fushun", "Shenyang", 4.0)]
    if directed:
        assert triples(e) == expected
    else:  # igraph stores undirected edges with the smaller vertex id first
        assert {(frozenset((s, t)), w) for s, t, w in triples(e)} == \
            {(frozenset((s, t)), w) for s, t, w in expected}


def test_igraph_write_pajek_without_names_or_weights(tmp_path):
    g = ig.Graph.Ring(5)
    p = tmp_path / "ring.net"
    g.write_pajek(str(p))
    e, d = read_edge_file(p)
    assert d is False and e.attrs["vertices"] == ["1", "2", "3", "4", "5"]
    assert triples(e) == [("1", "2", 1.0), ("2", "3", 1.0), ("3", "4", 1.0), ("4", "5", 1.0), ("1", "5", 1.0)]


# -- hand-written files ----------------------------------------------------------------------

def test_every_section_crlf_comments_case(tmp_path):
    e, d = read_pajek(GOOD / "cities_all_sections.net")
    assert d is True  # it has arcs, so edges become two arcs each
    assert e.attrs["vertices"] == ["Shenyang", "Dalian", "Anshan", "4"]  # vertex 4 not listed
    assert [(s, t, w, ln) for s, t, w, ln in zip(e["source"], e["target"], e["weight"], e["line"])] == [
        ("Shenyang", "Dalian", 2.5, 8),   # *arcs 1 2 2.5 c Blue
        ("Dalian", "Shenyang", 1.0, 9),
        ("Anshan", "4", 2.0, 11),         # *Edges 3 4 2 -> both ways
        ("4", "Anshan", 2.0, 11),
        ("Shenyang", "Anshan", 1.0, 13),  # *Arcslist 1 3 4 -> two arcs, weight 1
        ("Shenyang", "4", 1.0, 13),
        ("Dalian", "4", 1.0, 15),         # *Edgeslist 2 4 -> both ways
        ("4", "Dalian", 1.0, 15),
    ]


def test_arcslist_is_arcs_not_a_weight(tmp_path):
    # networkx reads this as one arc 1->2 of weight 3
    e, d = read_pajek(net(tmp_path, "*Vertices 3\n*Arcslist\n1 2 3\n"))
    assert d is True and triples(e) == [("1", "2", 1.0), ("1", "3", 1.0)]


def test_edges_only_stay_undirected_and_overrides(tmp_path):
    p = net(tmp_path, '*Vertices 3\n1 A\n2 B\n3 C\n*Edges\n1 2 5\n2 3\n')
    e, d = read_pajek(p)
    assert d is False and triples(e) == [("A", "B", 5.0), ("B", "C", 1.0)]
    e, d = read_pajek(p, directed=True)
    assert d is True and triples(e) == [("A", "B", 5.0), ("B", "A", 5.0), ("B", "C", 1.0), ("C", "B", 1.0)]
    q = net(tmp_path, '*Vertices 2\n*Arcs\n1 2 5\n', "a.net")
    assert read_pajek(q, directed=False)[1] is False


def test_matrix(tmp_path):
    e, d = read_pajek(net(tmp_path, '*Vertices 3\n1 "A"\n2 "B"\n3 "C"\n*Matrix\n0 2 0\n1 0 0\n0 0.5 0\n'))
    assert d is True and triples(e) == [("A", "B", 2.0), ("B", "A", 1.0), ("C", "B", 0.5)]


def test_labels_coordinates_attributes_and_multirelational_headers(tmp_path):
    text = ('*Network test\n*Vertices 3\n1 "Xi\'an city" 0.1 0.2 0.3 box ic Red\n'
            "2 Dalian 0.5 0.5\n3\n*Arcs :1 \"trade\"\n1 2 7 w 2 c Blue\n2 3 c Red\n")
    e, d = read_pajek(net(tmp_path, text))
    assert e.attrs["vertices"] == ["Xi'an city", "Dalian", "3"]
    assert triples(e) == [("Xi'an city", "Dalian", 7.0), ("Dalian", "3", 1.0)]


# -- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ('*Vertices 2\n1 "A"\n2 "B"\n3 "C"\n', ["g.net:4: vertex id 3 out of range 1..2 (*Vertices says 2): wrong vertex count?"]),
    ('*Vertices 2\n*Arcs\n1 5 1\n', ["g.net:3: vertex id 5 out of range 1..2"]),
    ('*Vertices 2\n*Arcs\n1 2 heavy\n', ["g.net:3:3: weight 'heavy' is not a number"]),
    ('*Vertices 2\n*Arcs\n1 2\n2\n', ["g.net:4: arc line needs two vertex ids, found '2'"]),
    ('*Vertices 2\n*Edges\nA B\n', ["g.net:3: vertex id 'A' is not an integer", "g.net:3: vertex id 'B' is not an integer"]),
    ('*Vertices 4 2\n', ["g.net:1: two-mode network (*Vertices 4 2) is not supported: give a one-mode network"]),
    ('*Vertices x\n', ["g.net:1: *Vertices needs a vertex count, found '*Vertices x'"]),
    ('*Vertices 2\n1 "A\n', ["g.net:2: unterminated double quote"]),
    ('*Vertices 2\n1 A\n2 A\n', ["g.net:3: duplicate vertex label 'A' (also on line 2)"]),
    ('*Vertices 2\n1 A\n1 B\n', ["g.net:3: vertex 1 listed twice"]),
    ('1 2\n', ["g.net:1: data before the *Vertices line"]),
    ('*Arcs\n1 2\n', ["g.net:1: *Arcs before *Vertices: not a Pajek .net network"]),
    ('*Vertices 2\n*Partition x\n1\n', ["g.net:2: *Partition sections (Pajek project files) are not supported: give a .net network file"]),
    ('*Vertices 2\n*Matrix\n0 1\n1\n', ["g.net:4: *Matrix row 2 must hold 2 numbers, found '1'"]),
    ('*Vertices 2\n*Foo\n', ["g.net:2: unknown section '*Foo'"]),
    ('% only a comment\n', ["g.net:1: no *Vertices line: not a Pajek .net file"]),
])
def test_errors_name_the_line(tmp_path, text, expected):
    with pytest.raises(ValidationError) as e:
        read_pajek(net(tmp_path, text))
    assert [str(p) for p in e.value.problems] == expected


def test_all_errors_are_collected(tmp_path):
    with pytest.raises(ValidationError) as e:
        read_pajek(net(tmp_path, "*Vertices 2\n*Arcs\n1 3\n1 2 x\n2 1 1\n0 1\n"))
    assert [p.line for p in e.value.problems] == [3, 4, 6]


# -- issue 11: line numbers, declared counts, non-ASCII digits, linear label checks -------------

def test_line_numbers_survive_unicode_line_separators(tmp_path):
    text = ('% comment with \u2028 a line separator, \u2029 and \u0085 inside\n*Vertices 3\n'
            '1 "Shen\u2028yang"\n2 "Dal\u0085ian"\n3 "An\x0bshan"\n*Arcs\n1 2 1\n2 3 x\n')
    with pytest.raises(ValidationError) as e:
        read_pajek(net(tmp_path, text))
    assert [str(p) for p in e.value.problems] == ["g.net:8:3: weight 'x' is not a number"]
    ok = net(tmp_path, text.replace("2 3 x", "2 3 1"), "ok.net")
    edges, _ = read_pajek(ok)
    assert edges["line"].tolist() == [7, 8] and edges.attrs["vertices"][0] == "Shen\u2028yang"


def test_a_label_with_a_line_separator_is_refused_at_its_arc_line(tmp_path):
    from cultnet.etl.load import validate_files

    p = net(tmp_path, '% \u2028\n*Vertices 2\n1 "Shen\u2028yang"\n2 "Dalian"\n*Arcs\n\n1 2 1\n')
    with pytest.raises(ValidationError) as e:
        validate_files(None, edges=p)
    assert [str(x) for x in e.value.problems] == [
        "g.net:7:1: source 'Shen\\u2028yang' contains an invisible or control character U+2028 (LINE "
        "SEPARATOR); remove it"]


@pytest.mark.parametrize("count", ["3000000000", "20000000", "100001"])
def test_a_count_the_file_cannot_hold_is_refused_at_once(tmp_path, count):
    with pytest.raises(ValidationError) as e:
        read_pajek(net(tmp_path, f"*Vertices {count}\n*Arcs\n1 2\n"))
    (p,) = e.value.problems
    assert p.line == 1 and f"*Vertices {int(count):,} declares more vertices than a file of" in p.reason


def test_counts_up_to_the_implicit_limit_and_the_file_size_are_read(tmp_path):
    e, _ = read_pajek(net(tmp_path, "*Vertices 100000\n*Arcs\n1 2\n"))  # igraph writes isolates this way
    assert len(e.attrs["vertices"]) == 100000
    # 150,000 vertices, all listed: the file is big enough to hold them
    listed = "*Vertices 150000\n" + "".join(f"{k}\n" for k in range(1, 150001)) + "*Arcs\n1 2\n"
    e, _ = read_pajek(net(tmp_path, listed, "l.net"))
    assert len(e.attrs["vertices"]) == 150000


def test_too_many_implicit_isolates_are_refused(tmp_path):
    text = "*Vertices 250000\n" + ("%" + "x" * 99 + "\n") * 6000 + "*Arcs\n1 2\n"
    with pytest.raises(ValidationError) as e:
        read_pajek(net(tmp_path, text))
    assert [str(p) for p in e.value.problems] == [
        "g.net: *Vertices 250,000 but only 2 vertices are listed or on an arc/edge line: 249,998 implicit "
        "isolated vertices, above the limit of 100,000 (a wrong count?); list the vertices or correct the count"]


@pytest.mark.parametrize("text, expected", [
    ("*Vertices \u00b2\n", "g.net:1: *Vertices needs a vertex count, '²' is not a count written in ASCII digits 0-9"),
    ("*Vertices \u0663\n*Arcs\n1 2\n", "g.net:1: *Vertices needs a vertex count, '٣' is not a count written in ASCII digits 0-9"),
    ("*Vertices 2\n\uff11 A\n", "g.net:2: vertex id '１' is not an integer (ASCII digits 0-9)"),
    ("*Vertices 2\n*Arcs\n1 2 \uff12\n", "g.net:3:3: weight '２' is not a number (digits must be ASCII 0-9: write '2')"),
    ("*Vertices 1e3\n", "g.net:1: *Vertices needs a vertex count, found '*Vertices 1e3'"),
])
def test_non_ascii_digits_are_clear_errors(tmp_path, text, expected):
    with pytest.raises(ValidationError) as e:
        read_pajek(net(tmp_path, text))
    assert [str(p) for p in e.value.problems] == [expected]


def test_label_clash_checks_are_linear(tmp_path):
    import time

    n = 20_000  # 40k vertices, 20k clashes: 23 s with the quadratic check
    text = f"*Vertices {2 * n}\n" + "".join(f'{i} "{n + i}"\n' for i in range(1, n + 1)) + "*Arcs\n1 2\n"
    p = net(tmp_path, text)
    t0 = time.perf_counter()
    with pytest.raises(ValidationError) as e:
        read_pajek(p)
    elapsed = time.perf_counter() - t0
    assert str(e.value.problems[0]) == "g.net:2: vertex label '20001' is also the number of an unlisted vertex; " \
                                       "labels must be unique"
    assert len(e.value.problems) == 200  # capped
    assert elapsed < 5  # ~0.3 s on a loaded 2-core machine; the budget test in test_bad_inputs is stricter
    e, _ = read_pajek(net(tmp_path, f"*Vertices {2 * n}\n" + "".join(f'{i} "v{i}"\n' for i in range(1, n + 1)), "ok.net"))
    assert len(e.attrs["vertices"]) == 2 * n
