#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, when it is missing: shellcheck (Debian), and checks
# for the tools every machine of this kind has (AWS CLI, cfn-lint, moto, openssl, python3, zip, unzip).
set -euo pipefail
if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test/setup.sh: installing shellcheck" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  else
    echo "test/setup.sh: shellcheck is missing; install it (apt-get install shellcheck)" >&2
    exit 1
  fi
fi
# tmux: the pseudo-terminal test (test/terminal.test.ts) drives the real prompts through it.
if ! command -v tmux >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test/setup.sh: installing tmux" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
  else
    echo "test/setup.sh: tmux is missing; install it (apt-get install tmux)" >&2
    exit 1
  fi
fi
missing=()
for tool in aws cfn-lint openssl python3 zip unzip; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
python3 -c 'import moto.server' 2>/dev/null || missing+=("moto (python3 -m pip install 'moto[server]')")
if [ ${#missing[@]} -gt 0 ]; then
  echo "test/setup.sh: missing: ${missing[*]}" >&2
  exit 1
fi
