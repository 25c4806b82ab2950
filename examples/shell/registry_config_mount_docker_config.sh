#!/usr/bin/env bash
set -euo pipefail

# The registry-config module: a git URL (with an optional @version) or a local path.
MODULE="${MODULE:-github.com/OWNER/registry-config}"

# Pushes a Helm chart: mount-docker-config mounts config.json and sets DOCKER_CONFIG, which Helm
# (like docker, oras, crane and regctl) reads.
CHART="${CHART:-./chart.tgz}"
dagger call -m "$MODULE" \
  with-registry-auth --address ghcr.io --username "$GITHUB_USER" --secret env:GITHUB_TOKEN \
  mount-docker-config --container alpine/helm:3.17.0 \
  with-file --path /work/chart.tgz --source "$CHART" \
  with-exec --args helm,push,/work/chart.tgz,"oci://ghcr.io/$GITHUB_USER/charts" \
  stdout
