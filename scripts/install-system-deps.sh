#!/usr/bin/env bash
# Installs the Debian packages the test suite and the PDFs need, from apt only:
#   chromium                  the browser Playwright drives (/usr/bin/chromium; never `playwright install`)
#   fonts-dejavu-core         fonts for the pages and the PDFs
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
#                             WeasyPrint's text layout (the PDF downloads and their tests)
#   poppler-utils             pdftoppm/pdftotext, to look at the PDFs
#   gettext                   msgfmt, for the translation test and `makemessages`
#   default-jre-headless, npm the Nu HTML checker (vnu.jar, from npm via `make setup`) runs on Java;
#                             each only when its command is missing (a JDK or Node.js from
#                             elsewhere will do)
# Idempotent: installs only what is missing, and needs no root when all is present
# (`make test` runs it when it can do so without a password).
set -euo pipefail

packages=(chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
    poppler-utils gettext)

# command:package — the package is needed only when the command is not found.
commands=(java:default-jre-headless npm:npm)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
for entry in "${commands[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-deps: all $((${#packages[@]} + ${#commands[@]})) packages present"
    exit 0
fi

sudo=""
if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "install-system-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-system-deps: apt-get install ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-system-deps: installed ${missing[*]}"
