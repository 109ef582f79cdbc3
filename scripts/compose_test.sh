#!/usr/bin/env bash
# Docker Compose, run for real (issue 12): build and run docker-compose.yml with a private Docker
# daemon and check the running stack from the host. Needs root and Debian's docker.io,
# docker-compose and debootstrap (scripts/test.sh installs them), the Neo4j jars (neo4j/lib) and
# the test extras in .venv (neo4j driver, Playwright) plus Debian's Chromium.
#
#   bash scripts/compose_test.sh [--report FILE] [--no-cache] [--keep-going]
#
# 1. a private dockerd: --data-root/--exec-root/-H unix socket/--pidfile in a new temp dir,
#    --bridge=none --iptables=false (nothing of the host's Docker is used or touched);
# 2. stand-ins for the two upstream bases, since no image registry is reachable here:
#    cultnet-standin/debian:bookworm from `debootstrap --variant=minbase bookworm` (from the
#    Debian mirror in this machine's apt sources, read now, never written into the repository),
#    then cultnet-standin/python:3.11-slim-bookworm (tests/docker/python.Dockerfile) and
#    cultnet-standin/neo4j:5.26-community (tests/docker/neo4j.Dockerfile: the Maven jars on
#    Debian's OpenJDK 17, the official image's NEO4J_AUTH / NEO4J_* conventions);
# 3. the project's own Dockerfile on top of the Python stand-in (`docker-compose build`);
# 4. `docker-compose up -d` with docker-compose.yml + tests/docker/compose.override.yml (image names
#    and host networking on free 127.0.0.1 ports: the only difference), then the checks of
#    tests/docker/compose_checks.py; `docker-compose restart` and the checks again (named volumes);
#    `docker-compose down -v` and a check that nothing of the project is left;
# 5. the daemon is stopped and its directories removed, also on failure or Ctrl+C (trap).
#
# The Debian base is cached as a tarball in tmp/compose-cache/ inside the clone (git-ignored;
# --no-cache ignores it): a fresh clone pays the debootstrap. Nothing is cached elsewhere.
# --report FILE: a JSON report (checks, step timings in seconds). Exit 0 only if every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

report=
use_cache=1
while [ $# -gt 0 ]; do
  case "$1" in
    --report) report=$2; shift 2 ;;
    --report=*) report=${1#*=}; shift ;;
    --no-cache) use_cache=; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "compose_test: unknown argument $1" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-$REPO/.venv/bin/python}
STANDIN_DEBIAN=cultnet-standin/debian:bookworm
STANDIN_PYTHON=cultnet-standin/python:3.11-slim-bookworm
STANDIN_NEO4J=cultnet-standin/neo4j:5.26-community
T0=$(date +%s.%N)

say() { echo "==> compose_test: $*" >&2; }
die() { echo "compose_test: $*" >&2; exit 1; }

# ------------------------------------------------------------------------------ preflight
[ "$(id -u)" = 0 ] || die "needs root (dockerd and debootstrap run as root)"
for tool in dockerd docker docker-compose debootstrap tar; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install -y docker.io docker-compose debootstrap)"
done
[ -x "$PY" ] || die "$PY not found: run EXTRAS=test bash scripts/setup.sh"
"$PY" -c "import neo4j, playwright" 2>/dev/null || die "$PY lacks neo4j/playwright: EXTRAS=test bash scripts/setup.sh"
"$PY" scripts/neo4j_server.py fetch >&2

W=$(mktemp -d "${COMPOSE_TEST_TMPDIR:-/tmp}/cultnet-compose.XXXXXX")
export DOCKER_HOST=unix://$W/d.sock
# the classic builder (docker-compose 1.29 builds through the API; the CLI the same way)
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
timings=$W/timings
: > "$timings"
results=$W/results
mkdir -p "$results"
daemon_pid=
project=
compose=()

# seconds since $1 (a date +%s.%N value), one decimal
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
timed() {  # timed NAME command...: run it, record its wall time, return its exit code
  local name=$1 t rc=0
  shift
  t=$(date +%s.%N)
  "$@" || rc=$?
  echo "$name $(since "$t")" >> "$timings"
  if [ "$rc" = 0 ]; then say "$name: $(since "$t") s"; else say "$name FAILED (exit $rc) after $(since "$t") s"; fi
  return "$rc"
}

# ------------------------------------------------------------------------------ cleanup (trap)
cleanup() {
  local rc=$? pid
  set +e
  trap - EXIT INT TERM
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    if [ -n "$project" ] && [ ! -f "$results/down.done" ]; then
      say "cleanup: docker-compose down -v"
      "${compose[@]}" down -v --remove-orphans -t 30 >> "$W/compose.log" 2>&1
    fi
    say "cleanup: stopping the private dockerd (pid $daemon_pid)"
    kill -TERM "$daemon_pid" 2>/dev/null
    for _ in $(seq 1 120); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$daemon_pid" 2>/dev/null; then
      say "cleanup: dockerd did not stop in 60 s: SIGKILL"
      kill -KILL "$daemon_pid" 2>/dev/null
    fi
    wait "$daemon_pid" 2>/dev/null
  fi
  # container shims or a containerd this daemon started and left behind: their command lines
  # name our exec root; they are ours, so end them by pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    case "$(tr '\0' ' ' 2>/dev/null < "$p/cmdline")" in
      *"$W/exec"*|*"$W/root"*)
        say "cleanup: ending leftover process $pid"
        kill -KILL "$pid" 2>/dev/null ;;
    esac
  done
  if [ "$rc" != 0 ] && [ -d "$W" ]; then
    for f in "$W"/*.log; do
      [ -f "$f" ] && { echo "--- tail of $(basename "$f") ---" >&2; tail -n 40 "$f" >&2; }
    done
  fi
  [ -d "$W" ] && snapshot
  awk -v w="$W/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
  rm -rf "$W"
  [ -d "$W" ] && echo "compose_test: could not remove $W" >&2
  if [ -n "$report" ]; then
    write_report "$rc"
  fi
  exit "$rc"
}

write_report() {
  local rc=$1 alive=false
  [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null && alive=true
  "$PY" - "$report" "$rc" "$W" "$alive" "$(since "$T0")" "${report_timings:-}" \
    "${report_results:-}" "$use_cache" <<'PYEOF'
import json, os, sys, time
path, rc, workdir, alive, total, timings, results, use_cache = sys.argv[1:9]
steps = {}
for line in timings.splitlines():
    name, secs = line.split()
    steps[name] = float(secs)
checks = json.loads(results) if results else {}
report = {
    "command": "bash scripts/compose_test.sh" + ("" if use_cache else " --no-cache"),
    "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "exit_code": int(rc), "ok": int(rc) == 0,
    "total_seconds": float(total), "step_seconds": steps,
    "load_average_at_end": os.getloadavg()[0], "cores": os.cpu_count(),
    "workdir": workdir, "workdir_removed": not os.path.exists(workdir),
    "daemon_running_after_cleanup": alive == "true",
    **checks,
}
with open(path, "w") as f:
    json.dump(report, f, indent=2)
    f.write("\n")
PYEOF
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# the report needs the timings and results after $W is gone: keep them in variables
snapshot() {
  report_timings=$(cat "$timings" 2>/dev/null)
  report_results=$("$PY" - "$results" <<'PYEOF'
import json, pathlib, sys
out = {}
for p in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    out[p.stem] = json.loads(p.read_text())
print(json.dumps(out))
PYEOF
)
}

# ------------------------------------------------------------------------------ 1. dockerd
start_daemon() {
  # The daemon's images and containers on a tmpfs (only the pages used count; gone at unmount):
  # on this shared disk, committing the 1 GB dependency layer and deleting ~4 GB of small files
  # at the end took minutes. COMPOSE_TEST_TMPFS=0 keeps them on disk in $W/root.
  mkdir -p "$W/root"
  if [ "${COMPOSE_TEST_TMPFS:-1}" != 0 ]; then
    mount -t tmpfs -o "size=${COMPOSE_TEST_TMPFS_SIZE:-12g},mode=0711" cultnet-compose-test "$W/root" \
      || die "could not mount a tmpfs on $W/root (COMPOSE_TEST_TMPFS=0 uses the disk)"
  fi
  dockerd --data-root "$W/root" --exec-root "$W/exec" -H "unix://$W/d.sock" \
    --pidfile "$W/d.pid" --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
    > "$W/dockerd.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 120); do
    docker version --format '{{.Server.Version}}' > "$W/server.version" 2>/dev/null && return 0
    kill -0 "$daemon_pid" 2>/dev/null || die "dockerd exited: $(tail -n 5 "$W/dockerd.log")"
    sleep 0.5
  done
  die "dockerd did not answer on $W/d.sock within 60 s"
}
say "private dockerd in $W"
timed dockerd_start start_daemon

# ------------------------------------------------------------------------------ 2. stand-in bases
debian_mirror() {
  # the first deb URI for bookworm in the machine's apt sources (deb822 .sources, then sources.list)
  local m=
  if [ -n "${CULTNET_DEBIAN_MIRROR:-}" ]; then echo "$CULTNET_DEBIAN_MIRROR"; return; fi
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    m=$(awk 'BEGIN { RS = ""; FS = "\n" }
      { t = u = s = ""; on = 1
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) t = $i; else if ($i ~ /^URIs:/) u = $i
          else if ($i ~ /^Suites:/) s = $i; else if ($i ~ /^Enabled:[ \t]*no/) on = 0 }
        if (on && t ~ /[ \t]deb([ \t]|$)/ && s ~ /[ \t]bookworm([ \t]|$)/) {
          sub(/^URIs:[ \t]*/, "", u); split(u, a, /[ \t]+/); print a[1]; exit } }' "$f")
    [ -n "$m" ] && { echo "$m"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    m=$(sed -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
    [ -n "$m" ] && { echo "$m"; return; }
  done
  die "no Debian bookworm mirror in /etc/apt/sources.list.d/*.sources or sources.list (set CULTNET_DEBIAN_MIRROR)"
}

debian_base() {
  local mirror key cache tarball rootfs
  mirror=$(debian_mirror)
  key=$(printf '%s' "$mirror" | sha256sum | cut -c1-12)
  cache=$REPO/tmp/compose-cache
  tarball=$cache/debian-bookworm-minbase-$key.tar
  if [ -n "$use_cache" ] && [ -f "$tarball" ] && [ -n "$(find "$tarball" -mtime -7)" ]; then
    say "Debian base from the cache in the clone: $tarball (less than 7 days old)"
    echo '{"debian_base_from_cache": true}' > "$results/cache.json"
  else
    rootfs=$W/rootfs
    say "debootstrap --variant=minbase bookworm from the machine's Debian mirror (about 100 s)"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" \
      > "$W/debootstrap.log" 2>&1 || die "debootstrap failed: $(tail -n 5 "$W/debootstrap.log")"
    # as Debian's slim images: no apt caches or lists, no docs, man pages or translations
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
      "$rootfs"/usr/share/locale/*
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
      'path-exclude /usr/share/locale/*' > "$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim"
    mkdir -p "$rootfs/usr/share/man/man1"  # update-alternatives (openjdk) links into it
    # the build machine's trust store: its egress proxy re-signs TLS (pip, uv, apt over https)
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    mkdir -p "$cache"
    tar -C "$rootfs" -cf "$tarball.partial.$$" . && mv "$tarball.partial.$$" "$tarball"
    rm -rf "$rootfs"
  fi
  docker import -c 'CMD ["bash"]' -c 'ENV LANG=C.UTF-8' "$tarball" "$STANDIN_DEBIAN" > /dev/null
  [ -n "$use_cache" ] || rm -f "$tarball"
}
timed debian_base debian_base

build_python_standin() {
  docker build --network host -t "$STANDIN_PYTHON" -f tests/docker/python.Dockerfile \
    --build-arg "BASE=$STANDIN_DEBIAN" tests/docker > "$W/build-python.log" 2>&1
}
build_neo4j_standin() {
  local ctx=$W/neo4j-context
  mkdir -p "$ctx/lib"
  cp -l neo4j/lib/*.jar "$ctx/lib/" 2>/dev/null || cp neo4j/lib/*.jar "$ctx/lib/"
  cp tests/docker/neo4j.Dockerfile tests/docker/neo4j-entrypoint.sh "$ctx/"
  docker build --network host -t "$STANDIN_NEO4J" -f "$ctx/neo4j.Dockerfile" \
    --build-arg "BASE=$STANDIN_DEBIAN" "$ctx" > "$W/build-neo4j.log" 2>&1
  rm -rf "$ctx"
}

# ------------------------------------------------------------------------------ 3.-4. compose
free_ports() {
  "$PY" -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])'
}
read -r BOLT_PORT HTTP_PORT UI_PORT <<< "$(free_ports)"
PASSWORD=$("$PY" -c 'import secrets, string; a = string.ascii_letters + string.digits; print("".join(secrets.choice(a) for _ in range(24)))')
MARKER=$("$PY" -c 'import secrets; print(secrets.token_hex(8))')
UI_PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_hex(12))')
project=cultnet-composetest-$(basename "$W" | tr -dc 'a-zA-Z0-9' | tr '[:upper:]' '[:lower:]')
mkdir -p "$W/import"
# the settings a user puts in .env, plus the override's ports; the repository's own .env is not read
cat > "$W/compose.env" <<EOF
COMPOSE_PROJECT_NAME=$project
NEO4J_PASSWORD=$PASSWORD
CULTNET_UI_PASSWORD=$UI_PASSWORD
NEO4J_HEAP=512m
NEO4J_PAGECACHE=128m
CULTNET_IMPORT_DIR=$W/import
COMPOSE_TEST_BOLT_PORT=$BOLT_PORT
COMPOSE_TEST_HTTP_PORT=$HTTP_PORT
COMPOSE_TEST_UI_PORT=$UI_PORT
EOF
# docker-compose.yml + the override, merged and resolved by docker-compose itself; then only the
# published `ports:` are dropped: Docker discards them under host networking anyway, and
# docker-compose 1.29 refuses to create a host-network container that has them (an override
# cannot remove list entries).
docker-compose --env-file "$W/compose.env" --project-directory "$REPO" \
  -f "$REPO/docker-compose.yml" -f "$REPO/tests/docker/compose.override.yml" config \
  > "$W/merged.yml" || die "docker-compose config refused docker-compose.yml + the override"
"$PY" - "$W/merged.yml" "$W/compose.yml" <<'PYEOF'
import sys, yaml
merged = yaml.safe_load(open(sys.argv[1]))
for svc in merged["services"].values():
    assert svc.get("network_mode") == "host", svc
    svc.pop("ports", None)
yaml.safe_dump(merged, open(sys.argv[2], "w"), sort_keys=False)
PYEOF
compose=(docker-compose -p "$project" --project-directory "$REPO" -f "$W/compose.yml")

# The Python stand-in and then the project image, while the Neo4j stand-in builds alongside.
say "building $STANDIN_PYTHON -> cultnet:local and, alongside, $STANDIN_NEO4J"
t_builds=$(date +%s.%N)
( t=$(date +%s.%N); build_neo4j_standin; echo "build_neo4j_standin $(since "$t")" >> "$timings" ) &
neo4j_build=$!
timed build_python_standin build_python_standin || die "building $STANDIN_PYTHON failed"
timed build_cultnet_image "${compose[@]}" build > "$W/build-cultnet.log" 2>&1 \
  || die "docker-compose build failed"
wait "$neo4j_build" || die "building $STANDIN_NEO4J failed"
echo "builds_wall $(since "$t_builds")" >> "$timings"
# the daemon's data root after the builds (on the tmpfs this is RAM)
if mountpoint -q "$W/root"; then
  echo "{\"tmpfs_used_mb_after_builds\": $(df -m --output=used "$W/root" | tail -n 1)}" > "$results/disk.json"
fi
# what each layer of the project image cost (creation times) and weighs
docker history --no-trunc --format '{{json .}}' cultnet:local | "$PY" -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
json.dump({"cultnet_image_layers": [{"created": r["CreatedAt"], "size": r["Size"],
            "step": r["CreatedBy"].replace("/bin/sh -c ", "")[:120]} for r in rows[::-1]],
           "images": {}}, sys.stdout)' > "$results/images.json"
"$PY" - "$results/images.json" <<PYEOF
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
for name in ("$STANDIN_DEBIAN", "$STANDIN_PYTHON", "$STANDIN_NEO4J", "cultnet:local"):
    size = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", name],
                          capture_output=True, text=True).stdout.strip()
    d["images"][name] = {"size_mb": round(int(size) / 1e6) if size else None}
json.dump(d, open(sys.argv[1], "w"), indent=2)
PYEOF

recreate_stack() {
  "${compose[@]}" down -t 60 >> "$W/compose.log" 2>&1
  [ -n "$(docker volume ls -q --filter "label=com.docker.compose.project=$project")" ] \
    || die "down (without -v) removed the named volumes"
  # up -d returns once neo4j is healthy, etl has completed and app is started
  "${compose[@]}" up -d --no-build >> "$W/compose.log" 2>&1
  etl_done
}
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1"; }
cid() { "${compose[@]}" ps -q "$1"; }
wait_healthy() {  # wait_healthy SERVICE SECONDS
  local id s
  id=$(cid "$1")
  for _ in $(seq 1 "$2"); do
    s=$(health "$id")
    [ "$s" = healthy ] && return 0
    [ "$s" = unhealthy ] && die "$1 is unhealthy: $(docker inspect -f '{{json .State.Health.Log}}' "$id" | tail -c 600)"
    sleep 1
  done
  die "$1 not healthy within $2 s (status $s)"
}

checks() {  # checks PHASE: compose_checks.py from the host, its JSON into $results
  "$PY" tests/docker/compose_checks.py "$1" --bolt-port "$BOLT_PORT" --ui-port "$UI_PORT" \
    --password "$PASSWORD" --ui-password "$UI_PASSWORD" --marker "$MARKER" \
    --screenshot "$REPO/test-artifacts/screenshots/compose_$1.png" > "$results/checks_$1.json"
}

say "docker-compose up -d (project $project; Bolt 127.0.0.1:$BOLT_PORT, HTTP :$HTTP_PORT, explorer :$UI_PORT)"
timed compose_up "${compose[@]}" up -d --no-build > "$W/compose.log" 2>&1 \
  || die "docker-compose up failed: $(tail -n 20 "$W/compose.log")"
timed app_healthy wait_healthy app 300
etl=$(docker ps -a -q --filter "label=com.docker.compose.project=$project" \
      --filter "label=com.docker.compose.service=etl")
"$PY" - "$results/services_up.json" "$(health "$(cid neo4j)")" "$(health "$(cid app)")" \
  "$(docker inspect -f '{{.State.ExitCode}}' "$etl")" "$(docker logs "$etl" 2>&1 | tail -n 30)" \
  "$(docker inspect -f '{{.HostConfig.NetworkMode}}' "$(cid neo4j)" "$(cid app)" "$etl" | sort -u | tr '\n' ' ')" <<'PYEOF'
import json, sys
path, neo, app, etl_rc, etl_log, modes = sys.argv[1:7]
json.dump({"neo4j_health": neo, "app_health": app, "etl_exit_code": int(etl_rc),
           "etl_loaded_sample": "loading the bundled sample" in etl_log,
           "etl_log_tail": etl_log.splitlines()[-5:], "network_modes": modes.split()},
          open(path, "w"), indent=2)
PYEOF
"$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
bad = [k for k, ok in (("neo4j_health", s["neo4j_health"] == "healthy"),
                       ("app_health", s["app_health"] == "healthy"),
                       ("etl_exit_code", s["etl_exit_code"] == 0),
                       ("etl_loaded_sample", s["etl_loaded_sample"]),
                       ("network_modes", s["network_modes"] == ["host"])) if not ok]
sys.exit("services after up: " + ", ".join(f"{k}={s[k]!r}" for k in bad) if bad else 0)' \
  "$results/services_up.json"
timed checks_up checks up || die "checks after up failed"

etl_done() {  # the etl container (re)runs the load when the stack (re)starts: wait until it exits
  local id
  id=$(docker ps -a -q --filter "label=com.docker.compose.project=$project" \
       --filter "label=com.docker.compose.service=etl")
  [ "$(timeout 600 docker wait "$id")" = 0 ] || die "etl exited with $(docker inspect -f '{{.State.ExitCode}}' "$id")"
}

# Restart: the same containers stop and start again.
say "docker-compose restart"
timed compose_restart "${compose[@]}" restart >> "$W/compose.log" 2>&1 || die "docker-compose restart failed"
# the etl container runs its load again (idempotent); the explorer's endpoint is polled by the
# checks (its Docker health check runs only every 30 s)
timed restart_etl_done etl_done
wait_healthy neo4j 300
timed checks_restart checks restart || die "checks after restart failed"

# Recreate: `down` without -v removes the containers; new ones must find the data (and the
# password set at the first start) on the named volumes.
say "docker-compose down (volumes kept), then up -d: new containers on the same named volumes"
timed compose_recreate recreate_stack || die "down + up -d failed: $(tail -n 20 "$W/compose.log")"
timed checks_recreate checks recreate || die "checks after recreating the containers failed"

say "docker-compose down -v"
timed compose_down "${compose[@]}" down -v --remove-orphans -t 60 >> "$W/compose.log" 2>&1 \
  || die "docker-compose down -v failed"
touch "$results/down.done"
left_c=$(docker ps -a -q --filter "label=com.docker.compose.project=$project" | wc -l)
left_v=$(docker volume ls -q --filter "label=com.docker.compose.project=$project" | wc -l)
left_n=$(docker network ls -q --filter "label=com.docker.compose.project=$project" | wc -l)
echo "{\"containers_left\": $left_c, \"volumes_left\": $left_v, \"networks_left\": $left_n}" \
  > "$results/down.json"
[ "$left_c$left_v$left_n" = 000 ] || die "down -v left containers $left_c, volumes $left_v, networks $left_n"

echo "total_before_cleanup $(since "$T0")" >> "$timings"
snapshot
say "all checks passed in $(since "$T0") s; stopping the daemon"
