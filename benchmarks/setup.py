"""Set-up speed from a fresh clone: README command 1's summary, and the test suite's start.

Each measurement starts from ``git clone`` of this repository's HEAD into a new temporary folder
and a **cold package cache**: a new, empty ``UV_CACHE_DIR``, ``PIP_CACHE_DIR`` and
``XDG_CACHE_HOME`` (matplotlib's font cache included), and no ``uv`` on ``PATH`` (the folders that
hold one are dropped), so ``scripts/setup.sh`` bootstraps its pinned uv from PyPI with pip and uv
downloads every wheel of ``uv.lock``. The embedded store lives in the temporary folder. Then:

* ``demo``: ``CULTNET_NO_UI=1 bash scripts/demo.sh`` (README command 1 without the explorer);
  timed to ``.venv ready``, to the end of ``cultnet load --sample`` and to the summary (the exit).
  Target (issue 12): the summary in under 60 s on 2 cores with a cold package cache.
* ``tests``: ``bash scripts/test.sh --collect-only -q`` (README command 2 up to the test suite's
  start: the test extras, the Neo4j jars, the Debian packages check, pytest's collection), timed
  to ``.venv ready``, to the Neo4j jars and to the exit. ``--cold-maven`` also gives Maven a new,
  empty local repository (``MAVEN_OPTS=-Dmaven.repo.local=...``); by default the machine's
  ``~/.m2`` is used, as a developer machine would have it.

Each cold run is followed by a **warm** run of the same command in another fresh clone that
reuses the caches the cold run filled (what a second clone on the same machine costs), so the
ratio cold/warm is measured in the same session. The Debian packages (Java, Maven, Chromium,
docker) are not reinstalled: they are part of the machine.

Usage::

    python benchmarks/setup.py                       # demo and tests, cold then warm, once
    python benchmarks/setup.py --only demo --repeat 3
    python benchmarks/setup.py --out benchmarks/results/setup.json
    python benchmarks/setup.py --only demo --rev 3b94ebe --rev HEAD --repeat 2   # A/B, interleaved

Times depend on the network to PyPI and on what else runs on the machine: the load average and
the CPU seconds (user, system) of the command's process tree are recorded with every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_DEMO_S = 60.0

COMMANDS = {
    "demo": (["bash", "scripts/demo.sh"], {"CULTNET_NO_UI": "1"}),
    "tests": (["bash", "scripts/test.sh", "--collect-only", "-q", "-p", "no:cacheprovider"], {}),
}
#: (name, regular expression on an output line): the first line matching marks the milestone
MILESTONES = {
    "demo": [("uv_ready", r"^==> installing cultnet"), ("venv_ready", r"^==> \.venv ready"),
             ("sample_loaded", r"^written: dataset_id=")],
    "tests": [("uv_ready", r"^==> installing cultnet"), ("venv_ready", r"^==> \.venv ready"),
              ("neo4j_jars", r"^neo4j_server: .*jars$"),
              ("collected", r"^\d+ tests? collected|tests collected in")],
}


def path_without_uv(path: str) -> str:
    """``path`` minus every folder that holds a ``uv`` executable."""
    keep = [d for d in path.split(os.pathsep) if d and not os.access(os.path.join(d, "uv"), os.X_OK)]
    return os.pathsep.join(keep)


def run_once(which: str, clone: Path, caches: Path, cold_maven: bool) -> dict:
    cmd, extra_env = COMMANDS[which]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CULTNET_", "NEO4J_", "UV_", "VIRTUAL_ENV", "PYTEST"))}
    env.update(extra_env)
    env.update({
        "PATH": path_without_uv(os.environ.get("PATH", "/usr/bin:/bin")),
        "UV_CACHE_DIR": str(caches / "uv"),
        "PIP_CACHE_DIR": str(caches / "pip"),
        "XDG_CACHE_HOME": str(caches / "xdg"),
        "MPLCONFIGDIR": str(caches / "matplotlib"),
        "CULTNET_DATA_DIR": str(clone.parent / "data"),
    })
    if cold_maven:
        env["MAVEN_OPTS"] = f"-Dmaven.repo.local={caches / 'm2'}"
    assert shutil.which("uv", path=env["PATH"]) is None, "uv is still on PATH"
    load_before = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=clone, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    marks: dict[str, float] = {}
    lines: list[str] = []
    patterns = MILESTONES[which]
    try:
        for line in proc.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            now = round(time.monotonic() - t0, 1)
            for name, rx in patterns:
                if name not in marks and re.search(rx, line):
                    marks[name] = now
        rc = proc.wait()
        total = round(time.monotonic() - t0, 1)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if proc.poll() is None:  # interrupted: end the command we started
            proc.terminate()
            proc.wait(60)
        if which == "demo" and (clone / ".venv" / "bin" / "cultnet").exists():
            # the embedded server outlives the demo: stop it (cultnet stop); it is ours, in our
            # temporary folder
            subprocess.run([str(clone / ".venv" / "bin" / "cultnet"), "stop"], env=env, cwd=clone,
                           capture_output=True, timeout=120)
    out = {"exit_code": rc, "seconds_to_exit": total, "milestones_s": marks,
           # CPU of the command and everything it waited for (not the detached embedded server):
           # what the machine's load cannot shrink; wall time on an idle 2-core machine is about
           # this plus the time spent waiting for downloads
           "cpu_user_s": round(ru1.ru_utime - ru0.ru_utime, 1),
           "cpu_sys_s": round(ru1.ru_stime - ru0.ru_stime, 1),
           "load_average_before": round(load_before, 2),
           "load_average_after": round(os.getloadavg()[0], 2),
           "output_tail": lines[-8:]}
    if which == "demo":
        out["seconds_to_summary"] = total if rc == 0 else None
        out["summary_lines"] = [ln for ln in lines if ln.startswith(("written:", "backend:", "version:"))]
    else:
        m = [ln for ln in lines if re.search(r"\d+ tests? collected", ln)]
        out["collected"] = m[-1] if m else None
    for name, d in (("uv_cache_mb", caches / "uv"), ("pip_cache_mb", caches / "pip")):
        out[name] = round(sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) / 1e6, 1) \
            if d.exists() else 0.0
    return out


def fresh_clone(base: Path, name: str, rev: str) -> tuple[Path, float]:
    dest = base / name / "cultnet"
    dest.parent.mkdir(parents=True)
    t0 = time.monotonic()
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", "--no-checkout", str(ROOT), str(dest)],
                   check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", "--detach", rev], check=True)
    return dest, round(time.monotonic() - t0, 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=sorted(COMMANDS), action="append",
                    help="demo or tests (default: both)")
    ap.add_argument("--repeat", type=int, default=1, help="cold+warm pairs per command")
    ap.add_argument("--cold-maven", action="store_true",
                    help="also an empty local Maven repository for the tests' Neo4j jars")
    ap.add_argument("--rev", action="append",
                    help="revision(s) to clone (default HEAD); several are run interleaved, "
                         "round by round, for an A/B comparison in one session")
    ap.add_argument("--keep", action="store_true", help="keep the temporary clones")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "setup.json"))
    a = ap.parse_args(argv)
    which = a.only or ["demo", "tests"]
    revs = {r: subprocess.run(["git", "-C", str(ROOT), "rev-parse", r], capture_output=True,
                              text=True, check=True).stdout.strip() for r in (a.rev or ["HEAD"])}
    dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "-uno"],
                                capture_output=True, text=True).stdout.strip())
    base = Path(tempfile.mkdtemp(prefix="cultnet-setup-bench-"))
    runs = []
    try:
        for w in which:
            for i in range(a.repeat):
                for rev, sha in revs.items():
                    caches = base / f"{w}-{i}-{sha[:8]}-caches"
                    for temp in ("cold", "warm"):
                        clone, clone_s = fresh_clone(base, f"{w}-{i}-{sha[:8]}-{temp}", sha)
                        os.sync()  # the previous run's deletions and the clone are on disk first
                        print(f"setup bench: {w} #{i + 1} {rev} {temp} in {clone} ...",
                              file=sys.stderr, flush=True)
                        r = run_once(w, clone, caches, a.cold_maven)
                        r.update({"command": w, "cache": temp, "round": i + 1, "rev": rev,
                                  "git_sha": sha, "git_clone_s": clone_s})
                        print(f"setup bench: {w} #{i + 1} {rev} {temp}: exit {r['exit_code']} in "
                              f"{r['seconds_to_exit']} s {r['milestones_s']}", file=sys.stderr,
                              flush=True)
                        runs.append(r)
                        if not a.keep:
                            shutil.rmtree(clone.parent, ignore_errors=True)
                    if not a.keep:
                        shutil.rmtree(caches, ignore_errors=True)
    finally:
        if not a.keep:
            shutil.rmtree(base, ignore_errors=True)

    last = list(revs)[-1]
    cold_demo = [r["seconds_to_summary"] for r in runs
                 if r["command"] == "demo" and r["cache"] == "cold" and r["rev"] == last]
    result = {
        "what": "fresh clone -> README command 1's summary, and -> the test suite's start, "
                "cold package cache (new UV_CACHE_DIR, PIP_CACHE_DIR, XDG_CACHE_HOME; no uv on PATH), "
                "then warm (the caches the cold run filled) in another fresh clone",
        "command": "python benchmarks/setup.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "commands_timed": {k: " ".join(f"{e}={v}" for e, v in env.items()) + (" " if env else "")
                           + shlex.join(c) for k, (c, env) in COMMANDS.items() if k in which},
        "revisions": revs, "worktree_dirty": dirty,
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "cold_maven": a.cold_maven,
        "target": {"demo_summary_cold_s": TARGET_DEMO_S, "judged_on_rev": last,
                   "met": bool(cold_demo) and all(s is not None and s < TARGET_DEMO_S for s in cold_demo)},
        "runs": runs,
    }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("command", "target")}, indent=2))
    for r in runs:
        print(f"{r['command']:5} {r['rev'][:10]:10} {r['cache']:4} #{r['round']}: exit {r['exit_code']}, "
              f"{r['seconds_to_exit']:6.1f} s, milestones {r['milestones_s']}, "
              f"load {r['load_average_before']}->{r['load_average_after']}")
    return 0 if all(r["exit_code"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
