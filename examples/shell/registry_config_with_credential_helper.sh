#!/usr/bin/env bash
set -euo pipefail

# The registry-config module: a git URL (with an optional @version) or a local path.
MODULE="${MODULE:-github.com/OWNER/registry-config}"

# Lets the tool fetch short-lived credentials itself: the config names the helper
# (docker-credential-ecr-login), and no password is stored anywhere. TOOLS_IMAGE must have crane
# and docker-credential-ecr-login on its PATH; the helper reads the AWS credentials.
REGISTRY="${REGISTRY:-123456789012.dkr.ecr.eu-west-1.amazonaws.com}"
dagger call -m "$MODULE" \
  with-credential-helper --address "$REGISTRY" --helper ecr-login \
  mount-docker-config --container "$TOOLS_IMAGE" \
  with-secret-variable --name AWS_ACCESS_KEY_ID --secret env:AWS_ACCESS_KEY_ID \
  with-secret-variable --name AWS_SECRET_ACCESS_KEY --secret env:AWS_SECRET_ACCESS_KEY \
  with-exec --args crane,ls,"$REGISTRY/app" \
  stdout
