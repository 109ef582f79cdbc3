#!/bin/sh
# The one-shot `etl` container: wait for Neo4j, then load data and exit.
#
# If CULTNET_IMPORT_DIR (default /data/import) holds input files, they are loaded as one dataset;
# files are recognised by their name (extension .csv, .xlsx, .xls, .net or .txt):
#   cities.*  indicators.*  enterprises.*  edges.* (or cooperation.*, or any *.net)  series.*
# Otherwise the bundled simulated sample is loaded (`cultnet load --sample`).
# The import folder is checked before waiting for Neo4j.
# Exit code: 0 loaded; 1 Neo4j unreachable; 2 invalid input (every problem printed as
# file:line:column: reason, nothing written) or bad settings.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
import_dir=${CULTNET_IMPORT_DIR:-/data/import}

# first file in $import_dir named <stem>.<csv|xlsx|xls|net|txt> (any case), stems tried in order
pick() {
    for stem in "$@"; do
        for f in "$import_dir"/*; do
            [ -f "$f" ] || continue
            name=$(basename "$f" | tr '[:upper:]' '[:lower:]')
            case "$name" in
                "$stem".csv|"$stem".xlsx|"$stem".xls|"$stem".net|"$stem".txt) echo "$f"; return 0 ;;
            esac
        done
    done
    return 0
}

set --
if [ -d "$import_dir" ]; then
    f=$(pick cities);       [ -n "$f" ] && set -- "$@" --cities "$f"
    f=$(pick indicators);   [ -n "$f" ] && set -- "$@" --indicators "$f"
    f=$(pick enterprises);  [ -n "$f" ] && set -- "$@" --enterprises "$f"
    f=$(pick edges cooperation)
    if [ -z "$f" ]; then
        for g in "$import_dir"/*.net "$import_dir"/*.NET; do [ -f "$g" ] && { f=$g; break; }; done
    fi
    [ -n "$f" ] && set -- "$@" --edges "$f"
    f=$(pick series);       [ -n "$f" ] && set -- "$@" --series "$f"
    if [ $# -eq 0 ] && [ -n "$(ls -A "$import_dir" 2>/dev/null)" ]; then
        echo "entrypoint-etl: $import_dir has files but none is named cities.*, indicators.*," \
             "enterprises.*, edges.*/cooperation.*/*.net or series.*; nothing loaded" >&2
        ls -la "$import_dir" >&2
        exit 2
    fi
fi

python "$here/wait_for_neo4j.py" || {
    rc=$?
    echo "entrypoint-etl: Neo4j is not reachable at ${NEO4J_URI:-bolt://localhost:7687}; nothing loaded" >&2
    exit "$rc"
}

if [ $# -gt 0 ]; then
    echo "entrypoint-etl: loading from $import_dir: $*" >&2
    exec cultnet --backend neo4j load "$@"
fi
echo "entrypoint-etl: $import_dir is empty or missing; loading the bundled sample" >&2
exec cultnet --backend neo4j load --sample
