# Local stand-in for python:3.11-slim-bookworm, built by scripts/compose_test.sh only: no image
# registry is reachable on the build machines. Debian bookworm's own Python 3.11 (3.11.2) in a
# venv at /usr/local, so that `python`, `pip` and installed scripts live in /usr/local/bin as in the
# official image. The base is cultnet-standin/debian:bookworm (debootstrap --variant=minbase).
ARG BASE=cultnet-standin/debian:bookworm
FROM ${BASE}

# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /usr/local \
    && /usr/local/bin/python -c "import sys, ssl; assert sys.version_info[:2] == (3, 11), sys.version" \
    && /usr/local/bin/pip --version

# The trust store is the build machine's (copied into the Debian stand-in by compose_test.sh):
# its egress proxy re-signs TLS. pip 23 would otherwise use its own certifi bundle.
ENV LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
