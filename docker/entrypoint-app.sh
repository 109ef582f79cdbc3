#!/bin/sh
# The `app` container: wait for Neo4j, then serve the Streamlit explorer on 0.0.0.0:8501.
# Settings come from the environment (see .env.example); CULTNET_WAIT_TIMEOUT bounds the wait.
# CULTNET_UI_ADDRESS and CULTNET_UI_LISTEN_PORT change the address and port inside the container
# (default 0.0.0.0 and 8501; docker-compose.yml publishes it on 127.0.0.1:${CULTNET_UI_PORT}).
# The Docker test (scripts/compose_test.sh) runs with host networking and sets them to 127.0.0.1
# and a free port.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python "$here/wait_for_neo4j.py" || {
    rc=$?
    echo "entrypoint-app: Neo4j is not reachable at ${NEO4J_URI:-bolt://localhost:7687}; not starting the explorer" >&2
    exit "$rc"
}
exec cultnet --backend neo4j ui --host "${CULTNET_UI_ADDRESS:-0.0.0.0}" --port "${CULTNET_UI_LISTEN_PORT:-8501}"
