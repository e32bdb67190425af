# twemproxy (nutcracker) from Debian bookworm: the optional proxy in front of several daxcache pods
# (Helm chart). Built by scripts/image.sh as daxcache-nutcracker:<version>. Mount the configuration
# at /etc/nutcracker/nutcracker.yml (the chart does, from a ConfigMap).
ARG BASE=localhost/daxcache-base:bookworm
FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends nutcracker \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && mkdir -p /etc/nutcracker \
 && nutcracker -V
# A default that starts: one daxcache server on 127.0.0.1:6379 (a sidecar); the chart replaces it.
RUN printf '%s\n' \
      'daxcache:' \
      '  listen: 0.0.0.0:22121' \
      '  hash: fnv1a_64' \
      '  distribution: ketama' \
      '  redis: true' \
      '  auto_eject_hosts: false' \
      '  servers:' \
      '    - 127.0.0.1:6379:1' > /etc/nutcracker/nutcracker.yml \
 && nutcracker -t -c /etc/nutcracker/nutcracker.yml
USER 65534:65534
EXPOSE 22121
# nutcracker stays in the foreground (no -d) so the runtime's SIGTERM reaches it.
ENTRYPOINT ["nutcracker", "-c", "/etc/nutcracker/nutcracker.yml"]
