#!/usr/bin/env bash
# C-STORE throughput over the DICOM TLS port vs the plain port of the same silo, same run: dcmtk's storescu (one
# association, Nagle off) sends N fresh 512×512 16-bit CT instances over each, after an unmeasured warm-up of both.
# Usage: bench/dicom-tls.sh [N=200]. Needs a Release build of Silo (dotnet build Silo -c Release), dcmtk, openssl,
# python3-pydicom. Loopback only; everything lives in a temp folder removed at the end.
set -euo pipefail
N=${1:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/mirc-tls-bench.XXXXXX)
SILO_PID=""
cleanup() { [ -n "$SILO_PID" ] && kill "$SILO_PID" 2>/dev/null && wait "$SILO_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export TCP_NODELAY=1
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A throw-away CA and server certificate (ECDSA P-256), and a client certificate for storescu.
cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=Bench CA" 2>/dev/null
for who in server client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $who.key -out $who.csr -subj "/CN=bench-$who" 2>/dev/null
  openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $who.crt -days 2 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth') 2>/dev/null
done

# N fresh instances per measured run (plain, TLS, twice, alternating) plus 20 per warm-up.
/usr/bin/python3 - "$N" <<'PY'
import sys, os, array, pydicom
from pydicom.uid import generate_uid
from pydicom.data import get_testdata_file
n = int(sys.argv[1])
base = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
pixels = array.array('H', (i % 4096 for i in range(512 * 512))).tobytes()
for run, count in (("warm-plain", 20), ("warm-tls", 20), ("plain1", n), ("tls1", n), ("plain2", n), ("tls2", n)):
    os.makedirs(run)
    study, series = generate_uid(), generate_uid()
    for i in range(count):
        ds = base.copy()
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.PatientID, ds.InstanceNumber = "TLS-BENCH", i + 1
        ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 512, 512, 16, 12, 11
        ds.PixelData = pixels
        ds.save_as(f"{run}/{i:04}.dcm", write_like_original=False)
PY

PLAIN=$(free_port); TLS=$(free_port); HTTP=$(free_port)
dotnet "$ROOT/Silo/bin/Release/net10.0/Mirc.Silo.dll" --Mirc:DataPath="$WORK/data" --Mirc:HttpUrl=http://127.0.0.1:$HTTP \
  --Mirc:SiloPort=$(free_port) --Mirc:GatewayPort=$(free_port) --Mirc:Dicom:Port=$PLAIN --Mirc:Dicom:Tls:Port=$TLS \
  --Mirc:Dicom:Tls:CertificatePath="$WORK/server.crt" --Mirc:Dicom:Tls:KeyPath="$WORK/server.key" \
  --Mirc:Dicom:Tls:ClientCertificateMode=Require --Mirc:Dicom:Tls:ClientCaPath="$WORK/ca.crt" > "$WORK/silo.log" 2>&1 &
SILO_PID=$!
until curl -sf "http://127.0.0.1:$HTTP/readyz" > /dev/null; do kill -0 $SILO_PID || { cat "$WORK/silo.log"; exit 1; }; sleep 1; done

TLS_ARGS=(+tls "$WORK/client.key" "$WORK/client.crt" +cf "$WORK/ca.crt")
store() {  # $1 plain|tls, then the files
  local over=$1; shift
  if [ "$over" = tls ]; then storescu "${TLS_ARGS[@]}" -aet STORESCU -aec MIRC 127.0.0.1 "$TLS" "$@"
  else storescu -aet STORESCU -aec MIRC 127.0.0.1 "$PLAIN" "$@"; fi
}
store plain warm-plain/*.dcm; store tls warm-tls/*.dcm
rate() {  # $1 plain|tls, $2 round
  local start end; start=$(date +%s.%N); store "$1" "$1$2"/*.dcm; end=$(date +%s.%N)
  /usr/bin/python3 -c "import sys; n=$N; s=$end-$start; print(f'{sys.argv[1]:>6}: {n} instances in {s:.2f} s = {n/s:.0f} images/s, {n*0.5/s:.0f} MB/s')" "$1"
}
for round in 1 2; do rate plain $round; rate tls $round; done
