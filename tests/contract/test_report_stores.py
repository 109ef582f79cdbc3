"""The replication report's tables do not depend on the store: the Shanxi fixture (tests/data/
region, simulated) loaded into the real embedded FalkorDB and into the real Neo4j 5.26 by the
same ``cultnet load``, then ``cultnet report --tables-only`` on each: every CSV and .tex file is
byte-identical, and params.json too (the choices resolved from each store's data agree)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REGION = ROOT / "tests" / "data" / "region"
BIN = Path(sys.executable).parent / "cultnet"
STUDY = "report-contract"

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def _run(env: dict, *args: str) -> str:
    proc = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"cultnet {' '.join(args)}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_report_tables_are_the_same_from_both_stores(neo4j_store_settings, tmp_path):
    from cultnet.graph.neo4j_store import Neo4jStore

    s = neo4j_store_settings
    first = Neo4jStore(s)
    try:
        first.wipe()
    finally:
        first.close()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CULTNET_", "NEO4J_"))}
    envs = {"embedded": {**base, "CULTNET_BACKEND": "embedded", "CULTNET_DATA_DIR": str(tmp_path / "store")},
            "neo4j": {**base, "CULTNET_BACKEND": "neo4j", "NEO4J_URI": s.neo4j_uri, "NEO4J_USER": s.neo4j_user,
                      "NEO4J_PASSWORD": s.neo4j_password or "", "NEO4J_DATABASE": s.neo4j_database,
                      "CULTNET_DATA_DIR": str(tmp_path / "unused")}}
    dirs = {}
    try:
        for name, env in envs.items():
            _run(env, "load", "--study", STUDY, "--cities", str(REGION / "cities.csv"),
                 "--indicators", str(REGION / "indicators.csv"), "--edges", str(REGION / "links.csv"),
                 "--series", str(REGION / "series.csv"), "--simulated")
            dirs[name] = tmp_path / name
            _run(env, "report", "--study", STUDY, "-o", str(dirs[name]), "--reps", "199", "--qap-perms", "200",
                 "--tables-only")
    finally:
        subprocess.run([str(BIN), "stop"], env=envs["embedded"], capture_output=True, timeout=60)
    a = sorted(p.name for p in (dirs["embedded"] / "tables").iterdir())
    b = sorted(p.name for p in (dirs["neo4j"] / "tables").iterdir())
    assert a == b and len(a) >= 60
    differ = [n for n in a if (dirs["embedded"] / "tables" / n).read_bytes() != (dirs["neo4j"] / "tables" / n).read_bytes()]
    assert differ == []
    assert (dirs["embedded"] / "params.json").read_bytes() == (dirs["neo4j"] / "params.json").read_bytes()
