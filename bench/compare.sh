#!/usr/bin/env bash
# Runs Mirc.Bench on the same synthetic data against our silo (embedded default, Release build, fresh data folder,
# its own ports) and against Orthanc (Debian package, own config, loopback), then prints both figures and the ratio
# per operation and writes everything under bench/results/<timestamp>/ (git-ignored).
#
# usage: bench/compare.sh [--only-mirc | --only-orthanc] [--keep] [--no-build] [Mirc.Bench options, e.g. --ct-slices 100 --repeat 5]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_mirc=1 run_orthanc=1 keep=0 build=1 bench_args=()
while (($#)); do
  case "$1" in
    --only-mirc) run_orthanc=0 ;;
    --only-orthanc) run_mirc=0 ;;
    --keep) keep=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) bench_args+=("$1") ;;
  esac
  shift
done

stamp="$(date -u +%Y%m%d-%H%M%S)"
results="$repo/bench/results/$stamp"
work="$(mktemp -d /tmp/mirc-compare.XXXXXX)"
mkdir -p "$results"
pids=()

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# shellcheck source=bench/bench-silo.sh
. "$repo/bench/bench-silo.sh"

cleanup() {
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if ((keep)); then log "kept $work"; else delete_run_data "$work"; fi
}
trap cleanup EXIT

warn_recent_cleanup "$work"

# A VM whose balloon driver hands freed memory back to the host (free page reporting) makes the guest's next use of such
# a page cost a host fault. Measured here: a 512 KB instance written through the page cache costs ~1.9 ms more CPU (our
# silo with Mirc__Storage__DirectWrites=false against its default), and the first read of an instance written with
# direct I/O pays as much for the pages it fills. Our instance writes bypass the page cache (O_DIRECT), Orthanc's do
# not: its large-instance ingest pays that cost and ours does not, so those ratios are higher here than a dedicated
# machine would give; our first read of a just-stored study pays it instead (its own row). Said in the report
# (bench/README.md, "A VM that takes freed memory back").
page_reporting_line() {
  local parameters=/sys/module/page_reporting/parameters order delay
  [[ -r "$parameters/page_reporting_order" ]] || return 0
  order="$(cat "$parameters/page_reporting_order")" delay="$(cat "$parameters/min_free_ms" 2>/dev/null || echo '?')"
  printf -- "- host memory: this VM hands freed memory back to its host (free page reporting, order %s, after %s ms free): a page written through the page cache costs a host fault — Orthanc's large-instance ingest pays up to ~1.9 ms CPU per 512 KB that a dedicated machine would not (ours bypasses the page cache); our first read of a just-stored study pays it instead\n" "$order" "$delay"
}

# Stops one process we started, by its PID: TERM, then KILL after 15 s.
stop_pid() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}

wait_http() {
  local url="$1" pid="$2" what="$3"
  for _ in $(seq 1 240); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { log "$what exited during start-up"; return 1; }
    sleep 0.5
  done
  log "$what did not answer $url within 120 s"; return 1
}

calling_ae=MIRCBENCH move_ae=MIRCBENCHRCV
move_port="$(free_port)"
export TCP_NODELAY=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ((build)); then
  log "building Release (bench and silo)"
  dotnet build "$repo/bench/Mirc.Bench/Mirc.Bench.csproj" -c Release -v q -nologo >"$work/build-bench.log" 2>&1 \
    || { cat "$work/build-bench.log"; exit 1; }
fi
bench=(dotnet "$repo/bench/Mirc.Bench/bin/Release/net10.0/Mirc.Bench.dll")
common=(--calling-ae "$calling_ae" --move-ae "$move_ae" --move-port "$move_port" "${bench_args[@]}")
memory_lines=()

if ((run_mirc && build)) && ! dotnet build "$repo/Silo/Mirc.Silo.csproj" -c Release -v q -nologo >"$work/build-silo.log" 2>&1; then
  cp "$work/build-silo.log" "$results/mirc-build.log"
  log "the silo does not build (see $results/mirc-build.log): measuring Orthanc only"
  grep -E ' error ' "$work/build-silo.log" | sort -u | head -5 >&2 || true
  run_mirc=0
  memory_lines+=("- mirc: not measured, the silo did not build")
fi

bench_seed_for "$calling_ae" "$move_ae" "$move_port"

if ((run_mirc)); then
  http_port="$(free_port)" dicom_port="$(free_port)" silo_port="$(free_port)" gateway_port="$(free_port)"
  mkdir -p "$work/mirc-data"
  log "starting our silo: HTTP $http_port, DICOM $dicom_port, data $work/mirc-data"
  # env execs dotnet, so $! is the silo's own PID.
  # Content root = the empty work folder: the shipped appsettings.json (its demo seed would merge into these indices)
  # stays out, the silo runs on its code defaults plus the settings below.
  env -C "$work" DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production DOTNET_CONTENTROOT="$work" \
    Logging__LogLevel__Default=Warning \
    Mirc__DataPath="$work/mirc-data" \
    Mirc__HttpUrl="http://127.0.0.1:$http_port" \
    Mirc__SiloPort="$silo_port" Mirc__GatewayPort="$gateway_port" \
    Mirc__Dicom__Port="$dicom_port" "${bench_seed[@]}" \
    dotnet "$repo/Silo/bin/Release/net10.0/Mirc.Silo.dll" >"$results/mirc-silo.log" 2>&1 &
  silo_pid=$!
  pids+=("$silo_pid")
  wait_http "http://127.0.0.1:$http_port/readyz" "$silo_pid" "silo" || { tail -30 "$results/mirc-silo.log"; exit 1; }
  silo_start_mb="$(peak_mb "$silo_pid")" silo_cpu0="$(cpu_s "$silo_pid")"
  # Security stays on: log in as the seeded professional (password + TOTP from the enrolment URI written at first start).
  token="$(bench_login "http://127.0.0.1:$http_port" "$work/mirc-data/security/first-start-credentials.txt")" || { log "login failed"; tail -30 "$results/mirc-silo.log"; exit 1; }
  log "silo ready (PID $silo_pid, $silo_start_mb MB); logged in as bench; running the benchmark"
  set +e
  "${bench[@]}" --label mirc --dicom-port "$dicom_port" --called-ae MIRC --bearer "$token" --server-pid "$silo_pid" \
    --dicomweb-url "http://127.0.0.1:$http_port/dicomweb" "${common[@]}" --out "$results/mirc" \
    > "$results/mirc.txt"
  mirc_rc=$?
  set -e
  memory_lines+=("- mirc silo peak working set (VmHWM): $(peak_mb "$silo_pid") MB ($silo_start_mb MB once started); CPU used during the benchmark: $(awk -v a="$silo_cpu0" -v b="$(cpu_s "$silo_pid")" 'BEGIN { printf "%.1f", b - a }') s")
  log "${memory_lines[-1]} (bench exit $mirc_rc)"
  stop_pid "$silo_pid"
fi

if ((run_orthanc)); then
  plugin="$(orthanc_plugin_path "$work/apt.log")" || exit 1
  orthanc_http="$(free_port)" orthanc_dicom="$(free_port)"
  mkdir -p "$work/orthanc-data"
  orthanc_config "$work/orthanc-data" "$plugin" "$orthanc_http" "$orthanc_dicom" "$calling_ae" "$move_ae" "$move_port" >"$work/orthanc.json"
  log "starting Orthanc: HTTP $orthanc_http, DICOM $orthanc_dicom, data $work/orthanc-data"
  TCP_NODELAY=1 /usr/sbin/Orthanc "$work/orthanc.json" >"$results/orthanc.log" 2>&1 &
  orthanc_pid=$!
  pids+=("$orthanc_pid")
  wait_http "http://127.0.0.1:$orthanc_http/system" "$orthanc_pid" "Orthanc" || { tail -30 "$results/orthanc.log"; exit 1; }
  orthanc_start_mb="$(peak_mb "$orthanc_pid")" orthanc_cpu0="$(cpu_s "$orthanc_pid")"
  log "Orthanc ready (PID $orthanc_pid, $orthanc_start_mb MB); running the benchmark"
  set +e
  "${bench[@]}" --label orthanc --dicom-port "$orthanc_dicom" --called-ae ORTHANC --server-pid "$orthanc_pid" \
    --dicomweb-url "http://127.0.0.1:$orthanc_http/dicom-web" "${common[@]}" --out "$results/orthanc" \
    > "$results/orthanc.txt"
  orthanc_rc=$?
  set -e
  memory_lines+=("- Orthanc peak working set (VmHWM): $(peak_mb "$orthanc_pid") MB ($orthanc_start_mb MB once started); CPU used during the benchmark: $(awk -v a="$orthanc_cpu0" -v b="$(cpu_s "$orthanc_pid")" 'BEGIN { printf "%.1f", b - a }') s")
  log "${memory_lines[-1]} (bench exit $orthanc_rc)"
  stop_pid "$orthanc_pid"
fi

page_reporting="$(page_reporting_line)"
[[ -z "$page_reporting" ]] || { memory_lines+=("$page_reporting"); log "${page_reporting#- }"; }

if ((run_mirc && run_orthanc)) && [[ -f "$results/mirc/results.json" && -f "$results/orthanc/results.json" ]]; then
  "${bench[@]}" compare --ours "$results/mirc/results.json" --theirs "$results/orthanc/results.json" --out "$results" >/dev/null
  { echo; printf '%s\n' "${memory_lines[@]}"; } >>"$results/compare.md"
  cat "$results/compare.md"
else
  for f in "$results"/*/results.md; do [[ -f "$f" ]] && cat "$f"; done
  printf '%s\n' "${memory_lines[@]}"
fi
log "results in $results"
