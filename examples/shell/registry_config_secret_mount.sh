#!/usr/bin/env bash
set -euo pipefail

# The registry-config module: a git URL (with an optional @version) or a local path.
MODULE="${MODULE:-github.com/OWNER/registry-config}"

# The form of the Go registry-config module this one replaces: secret-mount prepares the mount,
# mount applies it to a container.
dagger call -m "$MODULE" \
  with-registry-auth --address ghcr.io --username "$GITHUB_USER" --secret env:GITHUB_TOKEN \
  secret-mount --path /root/.docker/config.json \
  mount --container gcr.io/go-containerregistry/crane:debug \
  with-exec --args crane,ls,"${REPOSITORY:-ghcr.io/me/app}" \
  stdout
