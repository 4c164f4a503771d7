#!/usr/bin/env bash
# Runs the whole test suite. Installs, idempotently, what the tests need: dcmtk (DICOM peers),
# PostgreSQL (cluster-mode index), chromium, Node packages (TypeScript, Azurite, dicomweb-client, playwright-core) under
# .tools/ — before the build, which compiles the portal's TypeScript with them — and unpacks third-party DICOM samples
# of Debian packages into .tools/debian-dicom/.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 TCP_NODELAY=1
started=$SECONDS
elapsed() { printf '%dm%02ds' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }
phase() { echo "==> test.sh [$(elapsed)] $*"; }

phase "layout: no two paths that differ only by case (a clone on macOS/Windows would merge them)"
collisions=$(git ls-files 2>/dev/null | awk '{ n = split($0, p, "/"); d = ""; for (i = 1; i <= n; i++) { d = d (i > 1 ? "/" : "") p[i]; print d } }' \
  | sort -u | awk '{ k = tolower($0); if (k in seen && seen[k] != $0) print seen[k] " <> " $0; seen[k] = $0 }')
if [ -n "$collisions" ]; then echo "paths differing only by case:"; echo "$collisions"; exit 1; fi

phase "system packages (dcmtk, PostgreSQL, Orthanc, Odil, GDCM, dicom3tools, codecs…)"

need_apt=()
command -v storescu >/dev/null 2>&1 || need_apt+=(dcmtk)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
/usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || need_apt+=(python3-yaml)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
# Independent DICOM peers and reference tools for interop tests (Orthanc as a DIMSE/DICOMweb client, Odil, GDCM,
# dicom3tools), codec libraries used through P/Invoke, pydicom for third-party test files, libfaketime for clock tests.
[ -x /usr/sbin/Orthanc ] || need_apt+=(orthanc)
[ -d /usr/share/orthanc/plugins ] && ls /usr/share/orthanc/plugins/libOrthancDicomWeb* >/dev/null 2>&1 || need_apt+=(orthanc-dicomweb)
command -v odil >/dev/null 2>&1 || need_apt+=(odil python3-odil)
command -v gdcmconv >/dev/null 2>&1 || need_apt+=(libgdcm-tools)
command -v dciodvfy >/dev/null 2>&1 || need_apt+=(dicom3tools)
command -v faketime >/dev/null 2>&1 || need_apt+=(faketime)
command -v dcm2niix >/dev/null 2>&1 || need_apt+=(dcm2niix)    # a research pipeline's converter, on a de-identified export
command -v oathtool >/dev/null 2>&1 || need_apt+=(oathtool)  # next TOTP code in the README walkthrough and the portal test
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)    # the portal test's real browser (driven by playwright-core)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)      # the image start test's network namespace (veth, addresses)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)    # DICOM TLS tests: a TLS 1.1 client (s_client)
/usr/bin/python3 -c 'import pydicom' >/dev/null 2>&1 || need_apt+=(python3-pydicom)
ls /usr/lib/x86_64-linux-gnu/libopenjp2.so.7 /usr/lib/x86_64-linux-gnu/libcharls.so.2 /usr/lib/x86_64-linux-gnu/libturbojpeg.so.0 >/dev/null 2>&1 \
  || need_apt+=(libopenjp2-7 libcharls2 libturbojpeg0)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

phase "third-party DICOM files of Debian data packages (.tools/debian-dicom/)"
# Samples shipped by packages whose programs no test runs — octave-dicom (palette-colour ultrasound, MONOCHROME1, an icon
# image), python3-nibabel (Philips enhanced MR, Siemens mosaics, a JPEG 2000 file with a palette icon), dicomscope
# (structured reports), heudiconv (Siemens MR series, a Phoenix protocol SR): downloaded and unpacked, not installed
# (octave alone is hundreds of MB). Their .dcm files join the Debian corpus of the tests (tests/Mirc.Testing/
# DebianDicomCorpus.cs).
corpus=.tools/debian-dicom
if [ ! -f "$corpus/.complete" ]; then
  rm -rf "$corpus" && mkdir -p "$corpus/debs"
  packages=(octave-dicom python3-nibabel dicomscope heudiconv)
  (cd "$corpus/debs" && { apt-get download "${packages[@]}" >/dev/null 2>&1 \
    || { ${SUDO:-} apt-get update -qq && apt-get download "${packages[@]}" >/dev/null; }; })
  for deb in "$corpus"/debs/*.deb; do
    package=$(dpkg-deb -f "$deb" Package)
    dpkg-deb -x "$deb" "$corpus/unpacked"
    (cd "$corpus/unpacked" && find . \( -name '*.dcm' -o -name '*.dcm.gz' \) -type f | while read -r f; do
      mkdir -p "../$package/$(dirname "$f")" && cp "$f" "../$package/$f"; done)
    rm -rf "$corpus/unpacked"
  done
  find "$corpus" -name '*.dcm.gz' -exec gunzip -f {} +
  rm -rf "$corpus/debs"
  touch "$corpus/.complete"
fi

phase "Node test tools (.tools/)"
if [ -f tools/package.json ]; then
  mkdir -p .tools
  if [ ! -d .tools/node_modules ] || [ tools/package.json -nt .tools/node_modules ]; then
    echo "test.sh: npm is installing the Node test tools of tools/package.json ($(node -e 'console.log(Object.keys(require("./tools/package.json").dependencies).join(", "))')) into .tools/ — a minute or two the first time"
    cp tools/package.json .tools/package.json
    [ -f tools/package-lock.json ] && cp tools/package-lock.json .tools/package-lock.json
    (cd .tools && npm install --no-audit --no-fund --no-progress --loglevel=error)
    touch .tools/node_modules
  fi
  export MIRC_TOOLS_DIR="$PWD/.tools"
fi

phase "build (Release)"
dotnet build Mirc.Orleans.sln -c Release --nologo -v quiet -clp:NoSummary

phase "tests (each project prints its own line as it finishes)"
log=$(mktemp)
set +e
dotnet test Mirc.Orleans.sln -c Release --no-build --nologo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"

# The benchmark of the shipped cluster shape, at smoke size: every scenario runs once through a real cluster (2 silos,
# Azurite, PostgreSQL), so the script ops run by hand cannot rot unnoticed; it fails on any failed request, never on speed.
phase "cluster benchmark at smoke size (bench/cluster.sh: 2 silos, Azurite, PostgreSQL; every scenario, no failure)"
if bench/cluster.sh --no-build --ct-slices 4 --mr-slices 2 --frames 0 --small-studies 20 --scaling none --warm-up-rounds 1 \
  --small-repeat 3 --instance-repeat 5 --clients 4 >/dev/null; then passed=$((passed + 1)); else failed=$((failed + 1)); rc=1; fi
phase "README walkthrough (every 'sh walkthrough' block of README.md, against a fresh silo)"
if tests/readme/walkthrough.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); rc=1; fi
phase "portal in a real browser (chromium headless: sign-in, search, care relationship, 300-slice CT viewer, break the glass, access report, administration)"
if node tests/portal/portal.test.mjs; then passed=$((passed + 1)); else failed=$((failed + 1)); rc=1; fi
echo "suite time: $(elapsed)"
echo "tests: $passed passed, $failed failed"
exit "$rc"
