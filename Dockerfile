# cultnet explorer and loader. Used by docker-compose.yml for the `app` and `etl` services.
#   docker compose up -d          (see docs/neo4j.md and .env.example)
# PYTHON_IMAGE: the base; scripts/compose_test.sh passes a locally built stand-in (no registry).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The dependencies first, exactly as locked: uv.lock, exported with hashes to requirements/main.txt
# by scripts/lock.sh, so the image gets the same versions and files as CI and scripts/setup.sh.
# The installer is the pinned uv of requirements/uv.txt (hash-checked, as setup.sh bootstraps it),
# in a throw-away venv; it refuses any file whose hash differs and any dependency missing from the
# lock, and compiles the bytecode (the image runs as a user who cannot write it). Manylinux wheels
# only (igraph, numpy, scipy, ...): no compiler. This layer is rebuilt only when the lock changes.
COPY requirements/uv.txt requirements/main.txt ./requirements/
RUN python -m venv /tmp/uv \
    && /tmp/uv/bin/pip install --no-cache-dir --require-hashes -r requirements/uv.txt \
    && /tmp/uv/bin/uv pip install --python "$(command -v python)" --no-cache --require-hashes \
       --only-binary :all: --compile-bytecode -r requirements/main.txt \
    && rm -rf /tmp/uv

# Then cultnet itself (no dependencies left to resolve), the entrypoints and the sample.
# Only these are copied (see .dockerignore).
COPY pyproject.toml README.md ./
COPY cultnet ./cultnet
COPY graph ./graph
COPY etl ./etl
COPY analysis ./analysis
COPY ui ./ui
COPY docker/entrypoint-app.sh docker/entrypoint-etl.sh docker/wait_for_neo4j.py ./docker/
RUN pip install --no-cache-dir --no-deps . \
    && pip check \
    && chmod 0755 docker/entrypoint-app.sh docker/entrypoint-etl.sh docker/wait_for_neo4j.py \
    && groupadd --system --gid 10001 cultnet \
    && useradd --system --uid 10001 --gid cultnet --create-home --home-dir /home/cultnet cultnet \
    && mkdir -p /data/import \
    && chown cultnet:cultnet /data/import

COPY data/sample ./data/sample

# The installed package does not carry data/sample: point the loader at the copy above.
ENV CULTNET_BACKEND=neo4j \
    CULTNET_SAMPLE_DIR=/app/data/sample \
    CULTNET_IMPORT_DIR=/data/import

# the numeric id of the cultnet user created above (resolvable without the image's passwd)
USER 10001:10001
EXPOSE 8501

# Streamlit's own health endpoint; python's urllib, so the image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).status == 200 else 1)"]

CMD ["/app/docker/entrypoint-app.sh"]
