#!/usr/bin/env bash
set -euo pipefail

# The registry-config module: a git URL (with an optional @version) or a local path.
MODULE="${MODULE:-github.com/OWNER/registry-config}"

# Renders an image pull secret (type kubernetes.io/dockerconfigjson) as a Dagger Secret and
# prints its ID, not its content. A pipeline mounts it into a kubectl container and applies it
# (see the Go, Python and TypeScript examples).
dagger call -m "$MODULE" \
  with-registry-auth --address ghcr.io --username "$GITHUB_USER" --secret env:GITHUB_TOKEN \
  kubernetes-secret --name regcred --namespace "${NAMESPACE:-default}"
