#!/usr/bin/env bash
# Debian packages the tests need: chromium (browser tests, driven by playwright-core; never a
# downloaded browser) and poppler-utils (pdfinfo, pdftotext and pdftoppm read the PDF handouts: pages,
# text, pixels). Plain Debian packages: a bare Debian CI machine installs them from its own mirror. Run as root.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v pdftotext >/dev/null 2>&1 || needed+=(poppler-utils)
if [ ${#needed[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${needed[@]}"
fi
