# Local stand-in for neo4j:5.26-community, built by scripts/compose_test.sh only: no image registry
# is reachable on the build machines. The same Neo4j 5.26 Community jars the tests fetch from Maven
# Central (neo4j/lib, copied into the build context by the script), on Debian's OpenJDK 17, with an
# entrypoint that follows the official image's conventions (NEO4J_AUTH, NEO4J_<setting> variables,
# /data and /logs volumes, uid 7474, tini, wget for health checks). See neo4j-entrypoint.sh.
ARG BASE=cultnet-standin/debian:bookworm
FROM ${BASE}

# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       openjdk-17-jre-headless wget tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 7474 neo4j \
    && useradd --system --uid 7474 --gid neo4j --home-dir /var/lib/neo4j --no-create-home neo4j \
    && mkdir -p /data /logs /var/lib/neo4j/conf /var/lib/neo4j/import /var/lib/neo4j/plugins \
       /var/lib/neo4j/run \
    && chown -R neo4j:neo4j /data /logs /var/lib/neo4j

COPY --chown=neo4j:neo4j lib /var/lib/neo4j/lib
COPY neo4j-entrypoint.sh /startup/docker-entrypoint.sh

ENV NEO4J_HOME=/var/lib/neo4j
WORKDIR /var/lib/neo4j
VOLUME ["/data", "/logs"]
EXPOSE 7474 7687
ENTRYPOINT ["tini", "-g", "--", "/startup/docker-entrypoint.sh"]
CMD ["neo4j"]
