"""Neo4j-only behaviour: batched loads of large bundles, and clear errors when the server is
unreachable or refuses the credentials."""

from __future__ import annotations

import json

import pytest

from cultnet.errors import LoadFailed, StoreUnavailable
from cultnet.settings import Settings
from tests.contract.test_store_contract import EXPECTED_COUNTS

pytestmark = pytest.mark.neo4j


@pytest.fixture
def settings(neo4j_store_settings):
    return neo4j_store_settings


@pytest.fixture
def batched(settings):
    from cultnet.graph.neo4j_store import Neo4jStore

    st = Neo4jStore(settings, batch_size=2, single_tx_max_rows=0)  # every load takes the batched path
    st.wipe()
    yield st
    st.close()


def _snapshot(store):
    rows = store.query("MATCH (n) WHERE NOT n:Dataset AND NOT n:Study AND NOT n:Meta RETURN labels(n) AS l, properties(n) AS p",
                       row_cap=None).rows
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def test_batched_load_counts_and_rerun(batched, make_bundle):
    calls = []
    batched.load_bundle(make_bundle(), progress=lambda d, t, w: calls.append(d))
    assert calls[0] == 0 and calls[-1] == 16 and len(calls) > 6  # batches of 2 rows
    first = batched.counts()
    assert first["labels"]["City"] == 3 and first["relationships"]["LINKS"] == 3
    before = _snapshot(batched)
    batched.load_bundle(make_bundle())
    assert batched.counts() == first and _snapshot(batched) == before


def _reads(study) -> dict:
    """Every analysis read of a study, as plain values."""
    out = {name: getattr(study, name)().to_dict("records")
           for name in ("cities", "enterprises", "indicators", "series")}
    for level in ("city", "enterprise"):
        out[f"edges_{level}"] = study.edges(level).to_dict("records")
    out["counts"] = {k: v for k, v in study.counts().items()}
    out["counts"]["labels"] = {k: v for k, v in out["counts"]["labels"].items() if k != "Dataset"}
    return json.loads(json.dumps(out, sort_keys=True, default=str))


def test_batched_load_is_invisible_until_complete(batched, make_bundle):
    """Visible when complete (DESIGN section 3): while a batched load is half-way (its first
    batches committed), every Study read shows the study as it was, also on the shared nodes
    the load gives new attributes to (by provenance); once it completes, the reads show it."""
    import pandas as pd

    batched.load_bundle(make_bundle())
    study = batched.study("default")
    before = _reads(study)
    second = make_bundle(
        "ds2", indicators=None, series=None, city_links=None,
        cities=pd.DataFrame({"name": ["Shenyang", "Dalian"], "gdp_rank": [1, 2]}),
        enterprises=pd.DataFrame({"id": ["e1", "e4"], "name": ["Alpha", "Delta"],
                                  "city": ["Shenyang", "Dalian"], "sector": ["steel", "ports"]}),
        cooperation=pd.DataFrame({"source": ["e1", "e4", "e4"], "target": ["e4", "e2", "e1"],
                                  "weight": [3.0, 4.0, 1.0], "year": [2016, 2016, 2016]}))
    during = []

    def progress(done, total, label):
        if 0 < done < total:
            during.append(_reads(study))

    batched.load_bundle(second, progress=progress)
    assert len(during) >= 3  # batches of 2 rows: held at several points
    for seen in during:
        assert seen == before
    after = _reads(study)
    cities = {c["name"]: c for c in after["cities"]}
    assert cities["Shenyang"]["gdp_rank"] == 1 and cities["Dalian"]["gdp_rank"] == 2
    assert {e["id"]: e.get("sector") for e in after["enterprises"]}["e4"] == "ports"
    assert len(after["edges_enterprise"]) == len(before["edges_enterprise"]) + 3
    batched.delete_dataset("ds2")
    assert _reads(study) == before


def test_batched_load_failure_marks_failed_and_rerun_resumes(batched, make_bundle):
    """A batched load commits batch by batch: one that fails leaves the dataset failed, its
    committed rows invisible to every read and then purged; the re-run writes what a clean
    load writes (nothing duplicated)."""
    batched.load_bundle(make_bundle())
    before = _snapshot(batched)
    bad = make_bundle().series.assign(note=[{"a": 1}, {"b": 2}])
    with pytest.raises(LoadFailed, match="marked failed"):
        batched.load_bundle(make_bundle(series=bad))
    ds = batched.datasets().set_index("id")
    assert ds.loc["ds1", "status"] == "failed"
    assert batched.study("default").counts() == {"labels": {"Dataset": 1}, "relationships": {}}
    assert _snapshot(batched) == []  # purged at the failure
    batched.load_bundle(make_bundle())
    assert batched.datasets().set_index("id").loc["ds1", "status"] == "complete"
    assert _snapshot(batched) == before


def test_unreachable_server_is_store_unavailable():
    from cultnet.graph.neo4j_store import Neo4jStore

    with pytest.raises(StoreUnavailable, match="not reachable"):
        Neo4jStore(Settings(backend="neo4j", neo4j_uri="bolt://127.0.0.1:9", neo4j_password="x" * 8))


def test_wrong_password_is_store_unavailable(settings):
    from dataclasses import replace

    from cultnet.graph.neo4j_store import Neo4jStore

    with pytest.raises(StoreUnavailable, match="credentials"):
        Neo4jStore(replace(settings, neo4j_password="definitely-wrong-password"))


def test_stale_loading_datasets_are_marked_failed_at_open(settings):
    """A Dataset left `loading` by a crashed load (old heartbeat, no running load transaction) is
    marked failed when a store opens; a fresh one, one a live transaction is loading, and a
    complete one are left alone."""
    import datetime as dt

    import neo4j

    from cultnet.graph.neo4j_store import LOAD_META, Neo4jStore

    first = Neo4jStore(settings)
    first.wipe()
    first.close()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    old = "2000-01-01T00:00:00+00:00"
    driver = neo4j.GraphDatabase.driver(settings.neo4j_uri,
                                        auth=(settings.neo4j_user, settings.neo4j_password))
    try:
        driver.execute_query(
            "UNWIND $rows AS r CREATE (d:Dataset {id: r.id, status: r.status, heartbeat: r.hb})",
            rows=[{"id": "crashed", "status": "loading", "hb": old},
                  {"id": "fresh", "status": "loading", "hb": now},
                  {"id": "held", "status": "loading", "hb": old},
                  {"id": "done", "status": "complete", "hb": old}],
            database_=settings.neo4j_database)
        with driver.session(database=settings.neo4j_database) as s:
            tx = s.begin_transaction(metadata={LOAD_META: "held"})  # a load still running
            tx.run("MATCH (d:Dataset {id: 'held'}) RETURN d.id").consume()
            try:
                store = Neo4jStore(settings, stale_after_s=600)  # recover=True: runs at open
                try:
                    status = dict(zip(*[store.datasets()[c] for c in ("id", "status")]))
                    assert status == {"crashed": "failed", "fresh": "loading",
                                      "held": "loading", "done": "complete"}
                    err = store.query("MATCH (d:Dataset {id: 'crashed'}) RETURN d.error AS e").rows[0]["e"]
                    assert "interrupted" in err
                    assert store.mark_stale_loads() == []  # nothing left to mark
                finally:
                    store.close()
            finally:
                tx.rollback()
    finally:
        driver.close()


def _graph_snapshot(store):
    nodes = _snapshot(store)
    rels = store.query("MATCH (a)-[r]->(b) WHERE NOT a:Dataset "
                       "RETURN coalesce(a.id, a.name, a.key) AS a, type(r) AS t, "
                       "coalesce(b.id, b.name, b.key) AS b, properties(r) AS p", row_cap=None).rows
    return nodes, sorted(json.dumps(r, sort_keys=True) for r in rels)


def _web_bundle(make_bundle, seed=5, n_ent=40, n_edges=150):
    """40 enterprises in 3 cities, 150 cooperation rows with hubs: enough for every writer round."""
    import random

    import pandas as pd

    rng = random.Random(seed)
    ids = [f"w{i}" for i in range(n_ent)]
    ents = pd.DataFrame({"id": ids, "name": [f"Firm {i}" for i in range(n_ent)],
                         "city": [rng.choice(["Shenyang", "Dalian", "Anshan"]) for _ in ids]})
    seen, edges = set(), []
    while len(edges) < n_edges:
        a = ids[min(int(rng.paretovariate(1.0)) - 1, n_ent - 1)] if rng.random() < 0.5 else rng.choice(ids)
        b, y = rng.choice(ids), rng.choice([2015, 2016])
        if a != b and (a, b, y) not in seen:
            seen.add((a, b, y))
            edges.append({"source": a, "target": b, "weight": float(rng.randint(1, 9)), "year": y})
    return make_bundle(enterprises=ents, cooperation=pd.DataFrame(edges))


def test_parallel_writers_write_what_one_writer_writes(settings, make_bundle):
    """Two partitioned writers and one sequential writer, batches of 7 rows: the same graph."""
    from cultnet.graph.neo4j_store import Neo4jStore

    snaps = []
    for writers in (1, 2, 3):
        st = Neo4jStore(settings, batch_size=7, single_tx_max_rows=0, writers=writers)
        try:
            st.wipe()
            calls = []
            st.load_bundle(_web_bundle(make_bundle), progress=lambda d, t, w: calls.append((d, t)))
            assert calls[-1][0] == calls[-1][1] and [d for d, _ in calls] == sorted(d for d, _ in calls)
            assert st.datasets().set_index("id").loc["ds1", "status"] == "complete"
            assert st.counts()["relationships"]["COOPERATES"] == 150
            snaps.append(_graph_snapshot(st))
        finally:
            st.close()
    assert snaps[0] == snaps[1] == snaps[2]


def test_batched_enterprises_of_cities_an_earlier_dataset_loaded(settings, make_bundle):
    """A second dataset with enterprises in the study's cities but no cities file: its
    LOCATED_IN go to the cities the first dataset made (found once by name, then by elementId)
    and the batched load (1 and 2 writers) writes what one transaction writes."""
    import pandas as pd

    from cultnet.graph.neo4j_store import Neo4jStore

    second = make_bundle(
        "ds2", cities=None, indicators=None, series=None, city_links=None,
        enterprises=pd.DataFrame({"id": [f"n{i}" for i in range(9)], "name": list("ABCDEFGHI"),
                                  "city": ["Shenyang", "Dalian", None] * 3}),
        cooperation=pd.DataFrame({"source": ["n0", "n1", "n3", "n4"], "target": ["n1", "n2", "e1", "n0"],
                                  "weight": [1.0, 2.0, 3.0, 4.0], "year": [2016] * 4}))
    snaps = []
    for kw in ({}, {"batch_size": 2, "single_tx_max_rows": 0, "writers": 1},
               {"batch_size": 2, "single_tx_max_rows": 0, "writers": 2}):
        st = Neo4jStore(settings, **kw)
        try:
            st.wipe()
            st.load_bundle(make_bundle())
            st.load_bundle(second)
            rows = st.query("MATCH (e:Enterprise)-[r:LOCATED_IN {dataset: 'ds2'}]->(c:City) "
                            "RETURN e.id AS e, c.name AS c ORDER BY e", row_cap=None).rows
            assert [(r["e"], r["c"]) for r in rows] == [
                (f"n{i}", ["Shenyang", "Dalian"][i % 3]) for i in range(9) if i % 3 != 2]
            snaps.append(_graph_snapshot(st))
        finally:
            st.close()
    assert snaps[0] == snaps[1] == snaps[2]


def test_batched_load_writes_by_key_when_a_node_it_wrote_was_replaced(settings, make_bundle):
    """A batched load writes relationships by the elementIds its MERGEs returned, each end
    checked against its key. Here, between two cooperation batches, another session renames the
    enterprise (its elementId now names a node of another key) and creates a new node with the
    key: the load's later batches must go to the new node (by key, as the index seek would),
    the earlier ones stay on the renamed one; nothing is dropped or mis-wired."""
    from cultnet.graph._cypher import cooperation_rows
    from cultnet.graph.neo4j_store import Neo4jStore

    bundle = _web_bundle(make_bundle)
    rows = cooperation_rows(bundle.cooperation)
    x = rows[-1]["target"]  # written in the last batch
    st = Neo4jStore(settings, batch_size=7, single_tx_max_rows=0, writers=1)
    seen = []

    def progress(done, total, label):
        if label == "cooperation" and not seen:
            seen.append(done)
            with st._driver.session(database=st.database) as s:
                s.run("MATCH (e:Enterprise {study: 'default', id: $x}) SET e.id = $x + '-old' "
                      "CREATE (:Enterprise {study: 'default', id: $x, datasets: ['ds1']})",
                      x=x).consume()

    try:
        st.wipe()
        st.load_bundle(bundle, progress=progress)
        assert seen and st.last_load_batches_by_key >= 1
        before, after = rows[:7], rows[7:]  # the callback ran after the first batch of 7
        touching = lambda rs: sorted((r["source"], r["target"], r["year"]) for r in rs  # noqa: E731
                                     if x in (r["source"], r["target"]))
        got = st.query(
            "MATCH (a:Enterprise)-[r:COOPERATES]->(b:Enterprise) WHERE $x IN [a.id, b.id] "
            "OR $x + '-old' IN [a.id, b.id] RETURN a.id AS a, b.id AS b, r.year AS y",
            {"x": x}, row_cap=None).rows
        on_new = sorted((r["a"], r["b"], r["y"]) for r in got if x in (r["a"], r["b"]))
        on_old = sorted((r["a"].replace("-old", ""), r["b"].replace("-old", ""), r["y"])
                        for r in got if x + "-old" in (r["a"], r["b"]))
        assert on_new == touching(after) and on_old == touching(before)
        assert touching(after)  # the case is exercised
        assert st.counts()["relationships"]["COOPERATES"] == len(rows)
    finally:
        st.close()


def test_parallel_writer_error_fails_the_load_and_rerun_completes(settings, make_bundle):
    """One writer's batch is refused by the server (a map is not a property value): the other
    writers stop, the load fails with the server's reason, and the same load re-run with good data
    completes with the graph a clean load writes."""
    from cultnet.graph.neo4j_store import Neo4jStore

    good = _web_bundle(make_bundle)
    st = Neo4jStore(settings, batch_size=7, single_tx_max_rows=0, writers=2)
    try:
        st.wipe()
        bad_ents = good.enterprises.assign(note=[{"x": 1} if i == 33 else None for i in range(40)])
        with pytest.raises(LoadFailed, match="(?i)map|property"):
            st.load_bundle(make_bundle(enterprises=bad_ents, cooperation=good.cooperation))
        assert st.datasets().set_index("id").loc["ds1", "status"] == "failed"
        st.load_bundle(good)
        assert st.datasets().set_index("id").loc["ds1", "status"] == "complete"
        after = _graph_snapshot(st)
        st.wipe()
        st.load_bundle(good)
        assert _graph_snapshot(st) == after
    finally:
        st.close()


def test_two_processes_loading_the_same_new_dataset_write_it_once(settings, make_bundle):
    """A small load of a new dataset is one transaction that starts by creating its Dataset node
    (neo4j_claim_dataset). A second store loading the same bundle meanwhile waits on that node's
    unique index entry, then finds it complete with the same content: a no-op, no duplicate
    relationships. While the first load is held, nothing of it is visible, not even its
    Dataset (nothing is committed before the transaction ends)."""
    import threading

    from cultnet.graph.neo4j_store import Neo4jStore

    first, second = Neo4jStore(settings), Neo4jStore(settings)
    try:
        first.wipe()
        first.ensure_schema()
        second.ensure_schema()
        held, release = threading.Event(), threading.Event()
        results: dict[str, object] = {}

        def hold(done, total, what):
            if done == 0:
                held.set()
                assert release.wait(120)

        def load(name, st, progress=None):
            try:
                results[name] = st.load_bundle(make_bundle(), progress=progress)
            except BaseException as e:  # noqa: BLE001 - checked below
                results[name] = e

        a = threading.Thread(target=load, args=("first", first, hold))
        a.start()
        assert held.wait(120)
        seen = second.query("MATCH (d:Dataset) RETURN count(d) AS n", row_cap=1).rows[0]["n"]
        b = threading.Thread(target=load, args=("second", second))
        b.start()
        b.join(3.0)
        waiting = b.is_alive()  # blocked on the first load's Dataset node
        release.set()
        a.join(120)
        b.join(120)
        assert seen == 0, "a held single-transaction load's Dataset is visible"
        assert waiting, f"the second load did not wait for the first: {results.get('second')!r}"
        assert isinstance(results["first"], dict) and "unchanged" not in results["first"], results
        assert isinstance(results["second"], dict) and results["second"].get("unchanged"), results
        assert first.counts() == EXPECTED_COUNTS
        assert first.datasets().set_index("id").loc["ds1", "status"] == "complete"
    finally:
        release.set()
        first.close()
        second.close()


def test_a_failed_small_load_of_a_new_dataset_leaves_only_its_failed_mark(settings, make_bundle):
    """The one transaction of a small new load rolls back whole: the Study and its failed Dataset
    are written afterwards (as on the embedded store), nothing else."""
    from cultnet.graph.neo4j_store import Neo4jStore

    st = Neo4jStore(settings)
    try:
        st.wipe()

        def stop(done, total, what):
            if done > 0:
                raise RuntimeError("stopped by the test")

        with pytest.raises(LoadFailed, match="stopped by the test"):
            st.load_bundle(make_bundle(), progress=stop)
        assert st.counts() == {"labels": {"Dataset": 1, "Meta": 1, "Study": 1}, "relationships": {}}
        row = st.datasets().set_index("id").loc["ds1"]
        assert row["status"] == "failed" and "stopped by the test" in row["error"]
    finally:
        st.close()
