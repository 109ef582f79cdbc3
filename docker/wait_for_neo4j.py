#!/usr/bin/env python3
"""Wait until Neo4j accepts a Bolt connection with the configured credentials.

Reads NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD (and NEO4J_DATABASE) like cultnet does, retries
``verify_connectivity()`` every CULTNET_WAIT_INTERVAL seconds (default 2) until
CULTNET_WAIT_TIMEOUT seconds (default 180) have passed. Exit 0 when Neo4j answers; exit 1 with a
one-line reason on stderr after the timeout, exit 2 at once when the password is wrong or a
setting is missing (waiting longer would not help).

Usage: python docker/wait_for_neo4j.py [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="wait until Neo4j answers on Bolt")
    p.add_argument("--timeout", type=float,
                   default=float(os.environ.get("CULTNET_WAIT_TIMEOUT", "180")))
    p.add_argument("--interval", type=float,
                   default=float(os.environ.get("CULTNET_WAIT_INTERVAL", "2")))
    a = p.parse_args(argv)

    uri = os.environ.get("NEO4J_URI", "bolt://localhost:7687")
    user = os.environ.get("NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        print("wait_for_neo4j: NEO4J_PASSWORD is not set (put it in .env)", file=sys.stderr)
        return 2
    try:
        import neo4j
    except ImportError:
        print("wait_for_neo4j: the neo4j Python driver is not installed", file=sys.stderr)
        return 2

    deadline = time.monotonic() + a.timeout
    attempt = 0
    last = "no attempt made"
    print(f"wait_for_neo4j: waiting up to {a.timeout:.0f} s for {uri} ...", file=sys.stderr, flush=True)
    while True:
        attempt += 1
        try:
            with neo4j.GraphDatabase.driver(uri, auth=(user, password),
                                            connection_timeout=min(5.0, max(a.timeout, 0.5))) as d:
                d.verify_connectivity()
            print(f"wait_for_neo4j: {uri} is up (attempt {attempt})", file=sys.stderr, flush=True)
            return 0
        except neo4j.exceptions.AuthError as e:
            print(f"wait_for_neo4j: {uri} rejected user {user!r}: {e.message or e} "
                  "(check NEO4J_USER / NEO4J_PASSWORD; the Neo4j volume keeps the password it "
                  "was first created with)", file=sys.stderr)
            return 2
        except neo4j.exceptions.ConfigurationError as e:
            print(f"wait_for_neo4j: bad NEO4J_URI {uri!r}: {e}", file=sys.stderr)
            return 2
        except Exception as e:  # refused, DNS not ready, service unavailable: keep trying
            last = f"{type(e).__name__}: {e}".splitlines()[0]
        if time.monotonic() + a.interval > deadline:
            print(f"wait_for_neo4j: Neo4j at {uri} did not answer within {a.timeout:.0f} s "
                  f"({attempt} attempts); last error: {last}", file=sys.stderr)
            return 1
        time.sleep(a.interval)


if __name__ == "__main__":
    sys.exit(main())
