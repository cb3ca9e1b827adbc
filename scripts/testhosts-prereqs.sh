#!/usr/bin/env bash
# testhosts-prereqs.sh — install every system package the tests use, and start the local PostgreSQL if it is
# installed but stopped. Run by `npm test` (scripts/test.mjs) as its first step, so a fresh machine needs nothing
# else: the real SSH test hosts (src/sandbox/hosts, testkit/fleet.ts) need OpenSSH, debootstrap and namespaces;
# the dump tests need PostgreSQL's client tools, the EC2 sandbox tests the AWS CLI, the shell-script tests
# busybox (its ash and utilities), the console tests Chromium.
#
# Idempotent: installs only what is missing, and does nothing when all is there. As root it installs with
# apt-get (quiet, noninteractive); as anyone else it exits non-zero with the exact command to run.
#   --check   only report; exit 1 when something is missing
#
# openssh-server's install would start the machine's own sshd on port 22. Test hosts must not collide with it,
# so the install runs with service starts blocked, and an sshd that appears anyway is stopped (by the pid in
# its pid file, checked against its executable). An sshd that was already running before is left alone.
set -euo pipefail

PACKAGES=(
  openssh-server openssh-client debootstrap debian-archive-keyring gpgv iproute2 procps util-linux mount coreutils
  postgresql-client awscli busybox chromium
)
# hostname: hostname -f, the oracle the discovery script's reading of /etc/hosts is checked against.
PACKAGES+=(hostname)
# poppler-utils: pdftotext, which the billing tests use to read the text of the invoice PDFs Steward renders.
PACKAGES+=(poppler-utils)
# Third-party cloud clients the sandbox-cloud tests drive, as users would (Apache Libcloud, boto3; run by /usr/bin/python3).
PACKAGES+=(python3-libcloud python3-boto3 curl)
# restic: the backup engine Steward runs on its own host (docs/decisions/0016-backups.md).
PACKAGES+=(restic)

# The S3 test server (testkit/s3.ts) is moto's server mode. Debian bookworm has no python3-moto (and rclone 1.60 no
# `serve s3`), so it comes from the python3 on PATH, where the machine image installs it; only reported here.
s3_server_note() {
  python3 -c 'import moto.server, flask, flask_cors' 2>/dev/null && return 0
  echo "testhosts-prereqs: the S3 test server is missing (python3 -c 'import moto.server' failed): pip install 'moto[server]==5.2.1'" >&2
}
s3_server_note

# PostgreSQL is expected at 127.0.0.1:5432 (testkit/db.ts); a local cluster that is installed but stopped is started.
# A machine with no PostgreSQL server gets Debian's, set up as the store tests expect (testkit/db.ts): trust on
# loopback, database `test`. Where a server is installed already, it is left as it is.
install_postgres() {
  [[ $(id -u) -eq 0 && ! -d /etc/postgresql ]] || return 0
  echo "testhosts-prereqs: installing the PostgreSQL server the store tests use"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >/dev/null
  local version hba
  version=$(ls /etc/postgresql | head -n1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  sed -i -E 's#^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\.0\.0\.1/32|::1/128)[[:space:]]+)[a-z0-9-]+$#\1trust#' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  su postgres -c "psql -qc 'create database test'"
}

start_postgres() {
  install_postgres
  command -v pg_isready >/dev/null || return 0
  pg_isready -h 127.0.0.1 -p 5432 -q && return 0
  if [[ $(id -u) -eq 0 ]] && command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    local version
    version=$(ls /etc/postgresql | head -n1)
    echo "testhosts-prereqs: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$pkg"); fi
done
overlay_ok=1
grep -qw overlay /proc/filesystems || overlay_ok=0

install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${missing[*]:-}"

if [[ ${#missing[@]} -eq 0 && $overlay_ok -eq 1 ]]; then
  [[ ${1:-} == --check ]] || start_postgres
  echo "testhosts-prereqs: everything is installed"
  exit 0
fi

if [[ ${1:-} == --check || $(id -u) -ne 0 ]]; then
  [[ ${#missing[@]} -gt 0 ]] && echo "testhosts-prereqs: missing packages: ${missing[*]}" >&2
  [[ $overlay_ok -eq 0 ]] && echo "testhosts-prereqs: the overlay file system is not available (modprobe overlay)" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "testhosts-prereqs: installing system packages needs root; run once: sudo bash scripts/testhosts-prereqs.sh" >&2
    [[ ${#missing[@]} -gt 0 ]] && echo "  (or: sudo sh -c '$install_cmd')" >&2
  fi
  exit 1
fi

# The pid of the machine's own sshd, if one runs (Debian's default pid file, verified against /proc).
machine_sshd() {
  local pid
  [[ -s /run/sshd.pid ]] || return 0
  pid=$(</run/sshd.pid)
  [[ $pid =~ ^[0-9]+$ && $(readlink "/proc/$pid/exe" 2>/dev/null) == /usr/sbin/sshd ]] && echo "$pid"
  return 0
}

if [[ ${#missing[@]} -gt 0 ]]; then
  before=$(machine_sshd)
  # policy-rc.d answering 101 tells invoke-rc.d (and systemd's deb helper) not to start services now.
  own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  trap '[[ $own_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d' EXIT
  echo "testhosts-prereqs: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "testhosts-prereqs: installing ${missing[*]} failed (apt-get's last lines above)" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"

  after=$(machine_sshd)
  if [[ -n $after && $after != "$before" ]]; then
    echo "testhosts-prereqs: stopping the sshd the install started (pid $after)"
    kill -TERM "$after" 2>/dev/null || true
  fi
  # On a systemd machine, do not let the freshly installed service start at the next boot either.
  if [[ " ${missing[*]} " == *" openssh-server "* && -d /run/systemd/system ]]; then
    systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  fi
fi

if [[ $overlay_ok -eq 0 ]]; then
  modprobe overlay 2>/dev/null || true
  grep -qw overlay /proc/filesystems || { echo "testhosts-prereqs: the kernel has no overlay file system" >&2; exit 1; }
fi
start_postgres
echo "testhosts-prereqs: ready"
