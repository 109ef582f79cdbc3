"""Where the time of the cooperation step goes: the same rows written by statement variants.

The enterprises and cities of ``synthetic_bundle(N)`` (benchmarks/load.py) are loaded once with
cultnet; then, for each variant, every COOPERATES relationship is deleted and the N cooperation rows
are written again in 10,000-row transactions, and the wall time, the client's CPU time and (when
the server is a local ``CommunityEntryPoint`` process) the server's CPU time are printed.

Variants (a ``P`` prefix runs it with 2 writers partitioned by graph._partition.edge_rounds, as
cultnet's batched loads do):

``A``   cultnet's ``merge_cooperation`` (MERGE on (a, b, year), ON CREATE / ON MATCH bookkeeping)
``G``   A with rows grouped by source: one ``Enterprise.id`` seek per source, not per row
``E``   A with both ends looked up by ``elementId`` resolved beforehand (no index seek per row)
``B``   CREATE with cultnet's properties (NOT idempotent)
``B1``  CREATE with only ``year`` (NOT idempotent): the least a relationship write costs
``N``   only the two ``Enterprise.id`` seeks per row, nothing written
``K``   MERGE on a relationship ``key`` (source|target|year) backed by a relationship property
        uniqueness constraint (created for this variant, dropped after it)

Usage (THE DATABASE IS WIPED)::

    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=... \\
        python benchmarks/cooperation_variants.py --edges 1000000 --variants PA,PB,PB1 --wipe

Measured numbers are in benchmarks/README.md ("The 30,000 rels/s target").
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from load import synthetic_bundle  # noqa: E402

from cultnet.model import Bundle  # noqa: E402
from cultnet.settings import Settings  # noqa: E402
from cultnet.graph._cypher import Q, cooperation_rows  # noqa: E402
from cultnet.graph._partition import edge_rounds  # noqa: E402
from cultnet.graph.neo4j_store import Neo4jStore  # noqa: E402

MATCH = ("UNWIND $rows AS row MATCH (a:Enterprise {study: $study, id: row.source}) "
         "MATCH (b:Enterprise {study: $study, id: row.target}) ")
MERGE_TAIL = """MERGE (a)-[r:COOPERATES {year: row.year}]->(b)
ON CREATE SET r.weight = row.weight, r.dataset = $dataset, r.datasets = [$dataset]
ON MATCH SET r.weight = row.weight, r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END"""
STATEMENTS = {
    "A": Q["merge_cooperation"],
    "G": ("UNWIND $groups AS g MATCH (a:Enterprise {study: $study, id: g.source}) UNWIND g.rows AS row "
          "MATCH (b:Enterprise {study: $study, id: row.target}) " + MERGE_TAIL),
    "E": ("UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.a "
          "MATCH (b) WHERE elementId(b) = row.b " + MERGE_TAIL),
    "B": MATCH + ("CREATE (a)-[r:COOPERATES {year: row.year}]->(b) SET r.weight = row.weight, "
                  "r.dataset = $dataset, r.datasets = [$dataset]"),
    "B1": MATCH + "CREATE (a)-[r:COOPERATES {year: row.year}]->(b)",
    "N": MATCH + "RETURN count(*)",
    "K": MATCH + """MERGE (a)-[r:COOPERATES {key: row.source + '|' + row.target + '|' + toString(row.year)}]->(b)
ON CREATE SET r.year = row.year, r.weight = row.weight, r.dataset = $dataset, r.datasets = [$dataset]
ON MATCH SET r.weight = row.weight, r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END""",
}
KEY_DDL = "CREATE CONSTRAINT cooperates_key IF NOT EXISTS FOR ()-[r:COOPERATES]-() REQUIRE r.key IS UNIQUE"


def server_cpu() -> float | None:
    """CPU seconds (user + system) of a local Neo4j server process, if there is exactly one."""
    try:
        pids = subprocess.check_output(["pgrep", "-f", "CommunityEntryPoint"], text=True).split()
        if len(pids) != 1:
            return None
        f = Path(f"/proc/{pids[0]}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / 100
    except (OSError, subprocess.CalledProcessError, IndexError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--edges", type=int, default=200_000)
    ap.add_argument("--variants", default="A,PA,B1,PB1")
    ap.add_argument("--wipe", action="store_true", help="required: the database is wiped")
    a = ap.parse_args(argv)
    if not a.wipe:
        ap.error("this script deletes everything in the database NEO4J_URI names: pass --wipe")
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    b = synthetic_bundle(a.edges)
    st = Neo4jStore(Settings.from_env(backend="neo4j"),
                    batch_size=10_000, single_tx_max_rows=10**9)
    st.wipe()
    st.ensure_schema()
    st.load_bundle(Bundle(dataset_id=b.dataset_id, source=b.source, sha256=b.sha256, simulated=True,
                          cities=b.cities, enterprises=b.enterprises, cooperation=b.cooperation.iloc[:0]))
    rows = cooperation_rows(b.cooperation)
    drv = st._driver
    db = st.database

    def resolve() -> dict[str, str]:
        ids = sorted({r["source"] for r in rows} | {r["target"] for r in rows})
        out: dict[str, str] = {}
        with drv.session(database=db) as s:
            for i in range(0, len(ids), 50_000):
                for rec in s.run("UNWIND $ids AS k MATCH (e:Enterprise {study: $study, id: k}) "
                                 "RETURN k, elementId(e)", ids=ids[i:i + 50_000], study=b.study):
                    out[rec[0]] = rec[1]
        return out

    def write(v: str, part: list[dict], ids: dict[str, str] | None) -> None:
        with drv.session(database=db) as s:
            for i in range(0, len(part), 10_000):
                batch = part[i:i + 10_000]
                if v == "E":
                    batch = [{"a": ids[r["source"]], "b": ids[r["target"]], "year": r["year"],
                              "weight": r["weight"]} for r in batch]
                if v == "G":
                    groups: dict[str, list[dict]] = {}
                    for r in batch:
                        groups.setdefault(r["source"], []).append(r)
                    params = {"groups": [{"source": k, "rows": g} for k, g in groups.items()]}
                else:
                    params = {"rows": batch}
                s.execute_write(lambda tx: tx.run(STATEMENTS[v], dataset=b.dataset_id, study=b.study,
                                                  **params).consume())

    print(f"{a.edges:,} cooperation rows, {len(b.enterprises):,} enterprises; 10,000-row transactions")
    for variant in a.variants.split(","):
        parallel = variant.startswith("P")
        v = variant[1:] if parallel else variant
        with drv.session(database=db) as s:
            s.run("MATCH ()-[r:COOPERATES]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS").consume()
        with drv.session(database=db) as s:
            s.run("DROP CONSTRAINT cooperates_key IF EXISTS").consume()
            if v == "K":
                s.run(KEY_DDL).consume()
                s.run("CALL db.awaitIndexes(300)").consume()
        t0, c0, j0 = time.perf_counter(), time.process_time(), server_cpu()
        ids = resolve() if v == "E" else None
        if parallel:
            for parts in edge_rounds(rows, 2):
                threads = [threading.Thread(target=write, args=(v, p, ids)) for p in parts if p]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
        else:
            write(v, rows, ids)
        dt, cpu, j1 = time.perf_counter() - t0, time.process_time() - c0, server_cpu()
        with drv.session(database=db) as s:
            n = s.run("MATCH ()-[r:COOPERATES]->() RETURN count(r)").single()[0]
        srv = f"{j1 - j0:6.1f}" if j0 is not None and j1 is not None else "     -"
        print(f"{variant:>4}: {dt:7.1f} s {a.edges / dt:>9,.0f} rows/s   client CPU {cpu:5.1f} s   "
              f"server CPU {srv} s   COOPERATES {n:,}", flush=True)
    st.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
