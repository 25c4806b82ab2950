#!/usr/bin/env bash
# Installs what the real-registry tests need, and nothing else:
#   docker-registry (CNCF distribution 2.8), apache2-utils (htpasswd), skopeo,
#   openssl, curl (readiness probe) (apt); the docker CLI (preinstalled, else Debian's docker.io);
#   kubectl (preinstalled, else Debian's kubernetes-client) for the Kubernetes manifests;
#   a venv with PyPI oras==0.2.43 for the oras-py client;
#   a venv with PyPI moto[server]==5.2.5 (and boto3) as the AWS implementation of the ECR tests.
#
# Idempotent and fast when everything is present. A tool still missing after
# the install is an error (exit 1), never a silent skip.
#
# Env: REGISTRY_CONFIG_VENV       venv path (default <repo>/target/test-venv)
#      REGISTRY_CONFIG_MOTO_VENV  moto venv path (default <repo>/target/moto-venv)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${REGISTRY_CONFIG_VENV:-$repo/target/test-venv}
oras_version=0.2.43
moto_venv=${REGISTRY_CONFIG_MOTO_VENV:-$repo/target/moto-venv}
moto_version=5.2.5

die() { echo "install-test-deps: $*" >&2; exit 1; }

# --- apt packages ----------------------------------------------------------
# command that proves each package is there
declare -A probe=(
  [docker-registry]=/usr/bin/docker-registry
  [apache2-utils]=/usr/bin/htpasswd
  [skopeo]=/usr/bin/skopeo
  [openssl]=/usr/bin/openssl
  [curl]=/usr/bin/curl
)
missing=()
for pkg in docker-registry apache2-utils skopeo openssl curl; do
  [ -x "${probe[$pkg]}" ] || missing+=("$pkg")
done
if ! command -v docker >/dev/null 2>&1; then
  missing+=(docker.io)
fi
# kubectl (client only) parses the kubernetesSecret manifests; Debian's package when the
# machine image has none.
if ! command -v kubectl >/dev/null 2>&1; then
  missing+=(kubernetes-client)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; run as root to install"
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get (Debian/Ubuntu only)"
  # Debian's docker-registry postinst would start a registry listening on ALL
  # interfaces (:5000). Forbid service starts for the install; remove the
  # guard afterwards only if we created it.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  cleanup_policy() {
    if [ "$created_policy" -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  }
  trap cleanup_policy EXIT
  echo "install-test-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  cleanup_policy
  trap - EXIT
fi

for pkg in docker-registry apache2-utils skopeo openssl curl; do
  [ -x "${probe[$pkg]}" ] || die "${probe[$pkg]} still missing after install of $pkg"
done
command -v docker >/dev/null 2>&1 || die "docker CLI still missing after install"
command -v kubectl >/dev/null 2>&1 || die "kubectl still missing after install"

# --- pinned PyPI clients, one venv each ----------------------------------------
# venv_version VENV DIST: the installed version of distribution DIST in VENV, or nothing.
venv_version() {
  "$1/bin/python" -c "import importlib.metadata as m; print(m.version('$2'))" 2>/dev/null || true
}

# pinned_venv VENV DIST VERSION REQUIREMENT: VENV holds DIST==VERSION (installed from REQUIREMENT
# when it does not yet), else the script fails.
pinned_venv() {
  local venv=$1 dist=$2 version=$3 requirement=$4
  if [ "$(venv_version "$venv" "$dist")" != "$version" ]; then
    local python
    python=$(command -v python3 || true)
    [ -n "$python" ] || die "python3 missing (needed for the $dist venv)"
    echo "install-test-deps: creating venv $venv with $requirement" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$requirement"
  fi
  [ "$(venv_version "$venv" "$dist")" = "$version" ] || die "$requirement not importable from $venv"
}

# oras-py, one of the real clients.
pinned_venv "$venv" oras "$oras_version" "oras==$oras_version"
# moto's server, the AWS implementation of the ECR tests.
pinned_venv "$moto_venv" moto "$moto_version" "moto[server]==$moto_version"
[ -x "$moto_venv/bin/moto_server" ] || die "moto_server missing from $moto_venv"

# --- one line of versions ----------------------------------------------------
registry_v=$(/usr/bin/docker-registry --version 2>&1 | awk '{print $3}')
htpasswd_v=$(dpkg-query -W -f='${Version}' apache2-utils 2>/dev/null || echo unknown)
skopeo_v=$(/usr/bin/skopeo --version | awk '{print $3}')
openssl_v=$(/usr/bin/openssl version | awk '{print $2}')
curl_v=$(/usr/bin/curl --version | awk 'NR==1 {print $2}')
docker_v=$(docker --version | awk '{print $3}' | tr -d ,)
oras_v=$(venv_version "$venv" oras)
kubectl_v=$(kubectl version --client 2>/dev/null | awk '/Client Version/ {print $3}')
moto_v=$(venv_version "$moto_venv" moto)
echo "test-deps: docker-registry $registry_v, htpasswd (apache2-utils) $htpasswd_v, skopeo $skopeo_v, openssl $openssl_v, curl $curl_v, docker CLI $docker_v, kubectl $kubectl_v, oras-py $oras_v ($venv), moto $moto_v ($moto_venv)"
