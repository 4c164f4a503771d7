# What compare.sh, cluster.sh and alternate.sh need around the silo they measure (sourced, not run): free ports, a process's CPU
# and peak memory, the seed that gives the benchmark an establishment with its AE titles and a professional account,
# that account's first login, and Orthanc as the benchmarks install and configure it.

# When a benchmark run last deleted its data folder (git-ignored, beside the results).
last_cleanup="$repo/bench/results/.last-cleanup"

# Deletes a run's data folder $1 and notes when (see warn_recent_cleanup).
delete_run_data() {
  rm -rf "$1"
  mkdir -p "$(dirname "$last_cleanup")" && touch "$last_cleanup"
}

# ext4 without a journal (this project's VMs) skips, at every file creation, each inode freed in the last minute — up to
# six while its inode table block is dirty — and reads its table block to know: a run started soon after another run's
# cleanup measures those scans (bench/README.md, "Ingest, eleventh pass"). Says so — through the caller's log function
# when it has one, else on stderr — so such a run is not mistaken for a regression; with "wait" as $2, waits the rest
# of the window instead. $1: a folder on the file system measured.
warn_recent_cleanup() {
  [[ -f "$last_cleanup" ]] || return 0
  local fs device age
  fs="$(findmnt -no FSTYPE -T "$1" 2>/dev/null || true)"
  device="$(basename "$(findmnt -no SOURCE -T "$1" 2>/dev/null || echo none)")"
  [[ "$fs" == ext4 ]] && ! compgen -G "/proc/fs/jbd2/$device-*" >/dev/null || return 0
  age=$(($(date +%s) - $(stat -c %Y "$last_cleanup")))
  ((age < 360)) || return 0
  local say=log
  declare -F log >/dev/null || say=bench_stderr
  if [[ "${2:-}" == wait ]]; then
    "$say" "a run deleted its data ${age} s ago on ext4 without a journal ($device): waiting $((360 - age)) s for file creations to be fast again"
    sleep $((360 - age))
  else
    "$say" "warning: a run deleted its data ${age} s ago on ext4 without a journal ($device): file creations are slower for ~$((360 - age)) s more"
  fi
}

bench_stderr() { printf '%s\n' "$*" >&2; }

# A TCP port nobody listens on now (the kernel picks it; the small race is acceptable for a benchmark).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# CPU seconds (user + system) a live process has used so far: less sensitive than rates to other load on the machine.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"; }

# Peak resident set of a live process, in MB (VmHWM).
peak_mb() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

bench_initial_password="Perf-Initial-$RANDOM-Passphrase"
bench_password="Perf-Final-$RANDOM-Passphrase"

# Sets bench_seed: the seed as environment settings of the silo, for the calling AE title $1 and the C-MOVE destination
# $2 listening on port $3. The benchmark's AE titles belong to the establishment anonymous STOW-RS is credited to
# ("local"), so DIMSE and DICOMweb see the same studies.
bench_seed_for() {
  local calling_ae="$1" move_ae="$2" move_port="$3"
  bench_seed=(
    Mirc__Dicom__AeTitle=MIRC
    Mirc__Seed__Establishments__0__Id=local
    Mirc__Seed__Establishments__0__Name="Benchmark"
    Mirc__Seed__Establishments__0__AeTitles__0__AeTitle="$calling_ae"
    Mirc__Seed__Establishments__0__AeTitles__0__Host=127.0.0.1
    Mirc__Seed__Establishments__0__AeTitles__0__Port=0
    Mirc__Seed__Establishments__0__AeTitles__0__Permissions="Store, Query, Retrieve"
    Mirc__Seed__Establishments__0__AeTitles__1__AeTitle="$move_ae"
    Mirc__Seed__Establishments__0__AeTitles__1__Host=127.0.0.1
    Mirc__Seed__Establishments__0__AeTitles__1__Port="$move_port"
    Mirc__Seed__Establishments__0__AeTitles__1__Permissions=MoveDestination
    Mirc__Seed__Professionals__0__Id=10000000999
    Mirc__Seed__Professionals__0__Name="Bench Radiologist"
    Mirc__Seed__Professionals__0__EstablishmentId=local
    Mirc__Seed__Professionals__0__Roles__0=Radiologist
    Mirc__Seed__Professionals__0__Roles__1=Technician
    Mirc__Seed__Professionals__0__Username=bench
    Mirc__Seed__Professionals__0__InitialPassword="$bench_initial_password"
  )
}

# Prints a TOTP code (RFC 6238, SHA-1, 6 digits, 30 s) for an otpauth:// URI.
totp_now() {
  python3 - "$1" <<'PY'
import base64, hashlib, hmac, struct, sys, time, urllib.parse
secret = urllib.parse.parse_qs(urllib.parse.urlparse(sys.argv[1]).query)["secret"][0]
key = base64.b32decode(secret + "=" * (-len(secret) % 8))
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}

# First login of the seeded account (replaces its initial password), then a token; prints the access token.
# $2: the first-start credentials file(s) — a glob where several silos may have seeded.
bench_login() {
  local base="$1" credentials="$2" uri first token
  # The silo writes first-start credentials to a file only its user can read (never to its log); seeding may still be
  # under way when /readyz answers.
  for _ in $(seq 1 30); do
    # shellcheck disable=SC2086 # a glob on purpose
    uri="$(grep -h -A3 'username:            bench' $credentials 2>/dev/null | grep -o 'otpauth://[^ ]*' | head -1)"
    [ -n "$uri" ] && break
    sleep 1
  done
  [ -n "$uri" ] || return 1
  first="$(curl -sf -X POST "$base/api/auth/token" -d username=bench -d password="$bench_initial_password" \
    -d totp="$(totp_now "$uri")" -d new_password="$bench_password")" || return 1
  token="$(printf '%s' "$first" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("access_token",""))')"
  if [ -n "$token" ]; then printf '%s\n' "$token"; return 0; fi
  sleep 31 # a TOTP code is accepted once: wait for the next one
  curl -sf -X POST "$base/api/auth/token" -d username=bench -d password="$bench_password" -d totp="$(totp_now "$uri")" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# Orthanc and its DICOMweb plugin from Debian, installed when missing (apt's output to $1 on failure); prints the
# plugin's path, or fails.
orthanc_plugin_path() {
  if ! command -v Orthanc >/dev/null || ! dpkg -s orthanc-dicomweb >/dev/null 2>&1; then
    printf 'installing orthanc and orthanc-dicomweb\n' >&2
    # A fresh machine has no package lists yet: read them once when the install cannot find the packages.
    DEBIAN_FRONTEND=noninteractive apt-get install -y orthanc orthanc-dicomweb >"$1" 2>&1 \
      || { apt-get update -qq >>"$1" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y orthanc orthanc-dicomweb >"$1" 2>&1; } \
      || { cat "$1" >&2; return 1; }
  fi
  local plugin
  plugin="$(dpkg -L orthanc-dicomweb | grep -E '/libOrthancDicomWeb\.so$' | head -1)"
  [[ -n "$plugin" ]] || { printf 'libOrthancDicomWeb.so not found in orthanc-dicomweb\n' >&2; return 1; }
  printf '%s\n' "$plugin"
}

# Orthanc's configuration as the benchmarks measure it (bench/orthanc/orthanc.json.template), on stdout:
# orthanc_config <data folder> <plugin> <HTTP port> <DICOM port> <calling AE> <move AE> <move port>
orthanc_config() {
  ORTHANC_DATA="$1" ORTHANC_DICOMWEB_PLUGIN="$2" ORTHANC_HTTP_PORT="$3" ORTHANC_DICOM_PORT="$4" \
    BENCH_CALLING_AE="$5" BENCH_MOVE_AE="$6" BENCH_MOVE_PORT="$7" \
    envsubst <"$(dirname "${BASH_SOURCE[0]}")/orthanc/orthanc.json.template"
}
