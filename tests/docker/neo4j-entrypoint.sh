#!/bin/sh
# Entrypoint of the local Neo4j stand-in image (tests/docker/neo4j.Dockerfile), used only by
# scripts/compose_test.sh. It follows the conventions of the official neo4j:5.x image that
# docker-compose.yml relies on, so the same compose file runs with either image:
#
# * NEO4J_AUTH=neo4j/<password>: sets the initial password of the user "neo4j" on the first start
#   of an empty /data (neo4j-admin dbms set-initial-password; the official image runs it at every
#   start and ignores "already set"). NEO4J_AUTH=none turns authentication off. Another user name,
#   or the password "neo4j", is refused as by the official image. Unset: neo4j/neo4j, to be changed.
# * NEO4J_<setting>: any variable whose name continues in lower case becomes a neo4j.conf line,
#   "_" -> "." and "__" -> "_" (NEO4J_server_memory_heap_max__size -> server.memory.heap.max_size).
#   Strict config validation is on, as in Neo4j: an unknown setting stops the start.
# * Defaults as in the official image: listen on 0.0.0.0 (Bolt 7687, HTTP 7474), data in /data,
#   logs in /logs, run as uid 7474 (neo4j) after fixing the ownership of /data and /logs.
# * server.memory.heap.initial_size / max_size become -Xms / -Xmx (what the official launcher
#   does; Neo4j's Java entry point does not read them itself).
#
# Not mimicked: plugins (NEO4J_PLUGINS), NEO4J_AUTH=.../true, neo4j-admin as CMD, the Browser.
set -eu

home=${NEO4J_HOME:-/var/lib/neo4j}
conf_dir=$home/conf
conf=$conf_dir/neo4j.conf

if [ "${1:-neo4j}" != neo4j ]; then
    exec "$@"
fi

# ---- neo4j.conf from NEO4J_<setting> variables, then the defaults they do not set
settings=$(mktemp)
env | grep '^NEO4J_[a-z]' | while IFS= read -r line; do
    name=${line%%=*}
    value=${line#*=}
    key=$(printf '%s' "${name#NEO4J_}" | sed 's/_/./g; s/\.\./_/g')
    printf '%s=%s\n' "$key" "$value"
done > "$settings"

default() {
    grep -q "^$1=" "$settings" || printf '%s=%s\n' "$1" "$2" >> "$settings"
}

pw=
case "${NEO4J_AUTH-neo4j/neo4j}" in
    none)
        default dbms.security.auth_enabled false ;;
    neo4j/*/*)
        echo "neo4j-entrypoint: NEO4J_AUTH=neo4j/<password>/true is not supported by this stand-in" >&2
        exit 1 ;;
    neo4j/neo4j)
        if [ -n "${NEO4J_AUTH:-}" ]; then
            echo "Invalid value for password. It cannot be 'neo4j', which is the default." >&2
            exit 1
        fi ;;
    neo4j/*)
        pw=${NEO4J_AUTH#neo4j/} ;;
    *)
        echo "Invalid admin username, it must be neo4j." >&2
        exit 1 ;;
esac

default server.default_listen_address 0.0.0.0
default server.directories.data /data
default server.directories.logs /logs
default server.directories.import "$home/import"
default server.directories.plugins "$home/plugins"
default server.directories.run "$home/run"
default server.memory.heap.max_size 512m
default server.memory.heap.initial_size "$(sed -n 's/^server.memory.heap.max_size=//p' "$settings")"
default server.memory.pagecache.size 512m

mkdir -p "$conf_dir"
{
    echo "# written by the stand-in's docker-entrypoint.sh from NEO4J_* variables at every start"
    sort "$settings"
} > "$conf"
rm -f "$settings"

setting() { sed -n "s/^$1=//p" "$conf" | tail -n 1; }
data=$(setting server.directories.data)
logs=$(setting server.directories.logs)
heap_initial=$(setting server.memory.heap.initial_size)
heap_max=$(setting server.memory.heap.max_size)

# ---- ownership, as the official image does when started as root
mkdir -p "$data" "$logs"
if [ "$(id -u)" = 0 ]; then
    chown -R neo4j:neo4j "$data" "$logs" "$conf_dir" "$home/run"
    set -- setpriv --reuid=neo4j --regid=neo4j --init-groups
else
    set --
fi

export NEO4J_HOME="$home" NEO4J_CONF="$conf_dir"
cp="$home/lib/*"

# ---- the initial password, on an empty data volume only
if [ -n "$pw" ] && [ ! -e "$data/dbms/auth.ini" ]; then
    echo "neo4j-entrypoint: setting the initial password of user neo4j" >&2
    "$@" java -Xmx256m -cp "$cp" org.neo4j.cli.AdminTool dbms set-initial-password -- "$pw"
fi

# ---- the server (JVM options from Neo4j's default neo4j.conf; C1 JIT for a quicker start)
echo "neo4j-entrypoint: starting Neo4j (heap $heap_initial/$heap_max)" >&2
exec "$@" java "-Xms$heap_initial" "-Xmx$heap_max" -XX:TieredStopAtLevel=1 \
    -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+UnlockExperimentalVMOptions \
    -XX:+TrustFinalNonStaticFields -XX:+DisableExplicitGC -Djdk.nio.maxCachedBufferSize=1024 \
    -Dio.netty.tryReflectionSetAccessible=true -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8 \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-modules=jdk.incubator.vector \
    -cp "$cp" org.neo4j.server.CommunityEntryPoint "--home-dir=$home" "--config-dir=$conf_dir"
