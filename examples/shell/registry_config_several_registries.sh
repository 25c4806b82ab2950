#!/usr/bin/env bash
set -euo pipefail

# The registry-config module: a git URL (with an optional @version) or a local path.
MODULE="${MODULE:-github.com/OWNER/registry-config}"

# Several registries in one config, Docker Hub under any of its names; prints the keys the
# tools will look up (never a secret).
dagger call -m "$MODULE" \
  with-registry-auth --address ghcr.io --username "$GITHUB_USER" --secret env:GITHUB_TOKEN \
  with-registry-auth --address docker.io --username "$DOCKERHUB_USER" --secret env:DOCKERHUB_TOKEN \
  registries
