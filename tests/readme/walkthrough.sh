#!/usr/bin/env bash
# Runs the README's walkthrough — every fenced block marked `sh walkthrough`, in order, in one shell — against a fresh
# silo on free loopback ports with a throw-away data folder. The README is the one source: a failing example fails
# here. Usage: tests/readme/walkthrough.sh (from anywhere; needs the Release build, curl, jq, dcmtk, oathtool).
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in curl jq oathtool storescu; do
  command -v $tool > /dev/null || { echo "walkthrough: $tool is missing (Debian: ${tool/storescu/dcmtk})" >&2; exit 1; }
done

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/mirc-walkthrough.XXXXXX)
http_port=$(free_port); dicom_port=$(free_port)
export WORK MIRC_URL=http://127.0.0.1:$http_port MIRC_DICOM_PORT=$dicom_port
export Mirc__DataPath=$WORK/data Mirc__HttpUrl=$MIRC_URL Mirc__Dicom__Port=$dicom_port \
       Mirc__SiloPort=$(free_port) Mirc__GatewayPort=$(free_port)

script=$WORK/walkthrough.sh
{
  echo 'set -euo pipefail'
  # Whatever fails, no silo or viewer is left running (they are already gone when the walkthrough ends normally).
  echo 'trap '\''kill ${SILO_PID:-} ${VIEWER_PID:-} 2> /dev/null || true'\'' EXIT'
  awk '/^```sh walkthrough$/ { on = 1; print "# --- README block " ++n; next } /^```$/ { on = 0 } on' README.md
} > "$script"
blocks=$(grep -c '^# --- README block' "$script")
[ "$blocks" -gt 0 ] || { echo "walkthrough: no 'sh walkthrough' block in README.md" >&2; exit 1; }

echo "walkthrough: $blocks README blocks against a fresh silo on $MIRC_URL (files in $WORK)"
set +e
timeout 900 bash -x "$script" > "$WORK/run.log" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "walkthrough FAILED (exit $rc); the last commands and their output:" >&2
  tail -40 "$WORK/run.log" >&2
  echo "--- silo console (last lines):" >&2
  tail -20 "$WORK/silo.log" >&2 || true
  exit 1
fi
echo "walkthrough: passed"
rm -rf "$WORK"
