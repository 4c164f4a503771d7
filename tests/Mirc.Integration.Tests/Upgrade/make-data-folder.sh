#!/usr/bin/env bash
# Writes the data folder that DataFolderUpgradeTests starts today's silo on: the built silo of the commit checked out
# (embedded default, demo seed) receives six small instances by dcmtk's storescu — three studies of two patients — and
# stops; the folder is packed as data-folder-<commit>.tar.gz beside this script. Run it on the commit whose layout is
# to be kept readable (after `dotnet build -c Release`), then name that file in DataFolderUpgradeTests.
# Needs dcmtk (dump2dcm, storescu), python3, curl.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
commit="$(git -C "$repo" rev-parse --short HEAD)"
silo="$repo/Silo/bin/Release/net10.0/Mirc.Silo.dll"
[[ -f "$silo" ]] || { echo "build first: $silo not found" >&2; exit 1; }
[[ -z "$(git -C "$repo" status --porcelain -- Dicom Grains Grains.Interfaces Api Silo)" ]] || { echo "the product code has uncommitted changes: the folder would not be $commit's" >&2; exit 1; }

work="$(mktemp -d)"
trap '[[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
http="$(port)" dicom="$(port)"

# One instance: $1 file, $2 SOP class (dcmtk name), $3 modality, $4 patient ID, $5 patient name, $6 study, $7 series,
# $8 SOP instance, $9 instance number; 4×4 pixels of 12 bits, values from the instance number.
instance() {
  local pixels="" v
  for v in $(seq 0 15); do pixels+="$(printf '%04x' $(((v + $9 * 16) % 4096)))\\"; done
  cat > "$work/$1.dump" <<DUMP
(0008,0016) UI =$2
(0008,0018) UI [$8]
(0008,0020) DA [20250314]
(0008,0030) TM [101500]
(0008,0050) SH [ACC-$1]
(0008,0060) CS [$3]
(0010,0010) PN [$5]
(0010,0020) LO [$4]
(0010,0030) DA [19700101]
(0010,0040) CS [F]
(0020,000d) UI [$6]
(0020,000e) UI [$7]
(0020,0011) IS [1]
(0020,0013) IS [$9]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 4
(0028,0011) US 4
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 0
(7fe0,0010) OW ${pixels%\\}
DUMP
  dump2dcm -q --write-xfer-little "$work/$1.dump" "$work/$1.dcm"
}

root=1.2.826.0.1.3680043.10.1311.77
instance a1 CTImageStorage CT PAT-UPG-1 "UPGRADE^One" $root.1 $root.1.1 $root.1.1.1 1
instance a2 CTImageStorage CT PAT-UPG-1 "UPGRADE^One" $root.1 $root.1.1 $root.1.1.2 2
instance a3 CTImageStorage CT PAT-UPG-1 "UPGRADE^One" $root.1 $root.1.1 $root.1.1.3 3
instance b1 ComputedRadiographyImageStorage CR PAT-UPG-1 "UPGRADE^One" $root.2 $root.2.1 $root.2.1.1 1
instance c1 MRImageStorage MR PAT-UPG-2 "UPGRADE^Two" $root.3 $root.3.1 $root.3.1.1 1
instance c2 MRImageStorage MR PAT-UPG-2 "UPGRADE^Two" $root.3 $root.3.2 $root.3.2.1 1

data="$work/data"
( cd "$work" && exec dotnet "$silo" "--Mirc:DataPath=$data" "--Mirc:HttpUrl=http://127.0.0.1:$http" \
    "--Mirc:SiloPort=$(port)" "--Mirc:GatewayPort=$(port)" "--Mirc:Dicom:Port=$dicom" \
    "--Mirc:Auth:BootstrapAdministrator=false" "--Mirc:ChangeFeed:Follower:SettleDelay=00:00:00" > "$work/silo.log" 2>&1 ) &
pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$http/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$http/readyz" >/dev/null || { cat "$work/silo.log" >&2; exit 1; }

# Two associations, as two sends would be (each writes its own audit record).
storescu -aet STORESCU -aec MIRC 127.0.0.1 "$dicom" "$work"/a?.dcm "$work/b1.dcm"
storescu -aet STORESCU -aec MIRC 127.0.0.1 "$dicom" "$work"/c?.dcm
sleep 5 # the change feed's follower projects the last commits (patient lists, retention buckets)
kill -TERM "$pid"; wait "$pid" || true
pid=""
grep -q "Application is shutting down" "$work/silo.log" || { cat "$work/silo.log" >&2; exit 1; }

rm -rf "$data/logs"
tar -C "$work" -czf "$here/data-folder-$commit.tar.gz" data
echo "wrote $here/data-folder-$commit.tar.gz ($(du -h "$here/data-folder-$commit.tar.gz" | cut -f1))"
