#!/usr/bin/env bash
set -euo pipefail

# The registry-config module: a git URL (with an optional @version) or a local path.
MODULE="${MODULE:-github.com/OWNER/registry-config}"

# Copies an image with skopeo, which finds its auth file through REGISTRY_AUTH_FILE: mount-secret
# mounts the file where you say and sets the variable to its path.
SOURCE="${SOURCE:-quay.io/me/app:1.0}"
DESTINATION="${DESTINATION:-ghcr.io/me/app:1.0}"
dagger call -m "$MODULE" \
  with-registry-auth --address quay.io --username "$QUAY_USER" --secret env:QUAY_TOKEN \
  with-registry-auth --address ghcr.io --username "$GITHUB_USER" --secret env:GITHUB_TOKEN \
  mount-secret --container quay.io/skopeo/stable:v1.18 \
    --path /run/containers/auth.json --variable REGISTRY_AUTH_FILE \
  with-exec --args skopeo,copy,"docker://$SOURCE","docker://$DESTINATION" \
  stdout
