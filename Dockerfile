# cultnet explorer and loader. Used by docker-compose.yml for the `app` and `etl` services.
#   docker compose up -d          (see docs/neo4j.md and .env.example)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies come as manylinux wheels (igraph, numpy, scipy, ...): no compiler needed.
# Only the packages, the entrypoints and the sample are copied (see .dockerignore).
COPY pyproject.toml README.md ./
COPY cultnet ./cultnet
COPY graph ./graph
COPY etl ./etl
COPY analysis ./analysis
COPY ui ./ui
COPY docker/entrypoint-app.sh docker/entrypoint-etl.sh docker/wait_for_neo4j.py ./docker/
RUN pip install --no-cache-dir . \
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
