#!/usr/bin/env bash
# Installs veraPDF (the PDF/A reference validator) for the documents' PDF/A-3 test, idempotently:
# its libraries from Maven Central into .tools/verapdf/lib (about 15 MB, a few seconds), run by
# the JDK's single-file source launcher (scripts/verapdf/PdfaCheck.java), so nothing is compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.tools/verapdf/.stamp
if [ ! -f "$stamp" ] || [ scripts/verapdf/pom.xml -nt "$stamp" ]; then
  echo "[setup] installing veraPDF into .tools/verapdf"
  rm -rf .tools/verapdf/lib
  mvn -q -B -f scripts/verapdf/pom.xml dependency:copy-dependencies -DoutputDirectory="$PWD/.tools/verapdf/lib"
  touch "$stamp"
fi
