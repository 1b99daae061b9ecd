#!/usr/bin/env bash
# Installs what the browser tests (tests/browser/) need on a Debian machine, from apt only:
#   chromium          the browser Playwright drives (/usr/bin/chromium; never `playwright install`)
#   fonts-dejavu-core fonts for the pages and the PDFs
#   poppler-utils     pdftoppm/pdftotext, to look at the PDFs
# Idempotent: installs only what is missing, and does nothing (needs no root) when all is present.
# Needs root (or sudo) when something is missing.
set -euo pipefail

# Debian package → a file that shows it is installed.
declare -A CHECK=(
    [chromium]=/usr/bin/chromium
    [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
    [poppler-utils]=/usr/bin/pdftoppm
)

missing=()
for package in chromium fonts-dejavu-core poppler-utils; do
    if [[ -e "${CHECK[$package]}" ]] || dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
        | grep -q "install ok installed"; then
        echo "install-browser-deps: $package already installed"
    else
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-browser-deps: nothing to install"
    exit 0
fi

sudo=""
if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "install-browser-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-browser-deps: apt-get install ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
echo "install-browser-deps: installed ${missing[*]}"
