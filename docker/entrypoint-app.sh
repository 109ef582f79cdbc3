#!/bin/sh
# The `app` container: wait for Neo4j, then serve the Streamlit explorer on 0.0.0.0:8501.
# Settings come from the environment (see .env.example); CULTNET_WAIT_TIMEOUT bounds the wait.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python "$here/wait_for_neo4j.py" || {
    rc=$?
    echo "entrypoint-app: Neo4j is not reachable at ${NEO4J_URI:-bolt://localhost:7687}; not starting the explorer" >&2
    exit "$rc"
}
exec cultnet --backend neo4j ui --host 0.0.0.0 --port 8501
