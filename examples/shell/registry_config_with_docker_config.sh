#!/usr/bin/env bash
set -euo pipefail

# The registry-config module: a git URL (with an optional @version) or a local path.
MODULE="${MODULE:-github.com/OWNER/registry-config}"

# Starts from the login on this machine, drops one registry and lists a repository with crane.
# Logins kept in a keychain ("credsStore") are not in the file: add them with
# with-registry-auth instead.
dagger call -m "$MODULE" \
  with-docker-config --config "file:$HOME/.docker/config.json" \
  without-registry-auth --address quay.io \
  mount-docker-config --container gcr.io/go-containerregistry/crane:debug \
  with-exec --args crane,ls,"${REPOSITORY:-ghcr.io/me/app}" \
  stdout
