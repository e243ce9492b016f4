#!/usr/bin/env bash
# Debian packages the platform needs beyond Python: a browser for UI tests, fonts for Cyrillic PDFs,
# poppler for checking PDFs as images. Installs only what is missing; needs root (CI and dev machines run as root).
set -euo pipefail
want=(chromium fonts-dejavu-core poppler-utils)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root: apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
