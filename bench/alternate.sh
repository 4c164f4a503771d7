#!/usr/bin/env bash
# Alternates two silo builds, A and B, on new one-instance studies stored by C-STORE over 4 associations (the scenario
# whose ratio to Orthanc moves most between compare.sh runs) — or, with --ct N, on N slices of one 512 KB CT study (the
# path bound by waits more than by CPU) —, each run on a fresh silo started as compare.sh starts it, and reports per run
# the silo's CPU per stored study or slice over the steady part of the run (sampled each second from
# /proc with the silo's stored-instance counter; the first three seconds and the tail left out) and the rate. This
# machine's speed drifts 10 – 20 % within minutes: a change of a few per cent shows only over several alternated pairs.
#
# With --b orthanc, side B is Orthanc (as compare.sh configures it, its CPU and /statistics sampled the same way): the
# ratio of the two rates, pair by pair, is the same-run ratio of this scenario without the drift between compare.sh's
# two halves.
#
# usage: bench/alternate.sh --a <Silo build folder> --b <Silo build folder | orthanc> [--pairs N] [--studies N]
#                           [--warm-up N] [--ct N] [--env-a "K=V …"] [--env-b "K=V …"] [--settle]
#   --warm-up N: N one-instance studies stored first on each fresh server, not measured (default 0).
#   --ct N: measure N CT slices (one study, 512 KB each) stored over 4 associations instead of one-instance studies.
#   --settle: when another run deleted its data minutes ago on ext4 without a journal, wait until file creations are
#             fast again instead of measuring the first run slower (warned about by default).
#   e.g. dotnet build Silo -c Release -o /tmp/silo-a (before the change), then the same to /tmp/silo-b (after).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pairs=3 studies=6000 warm_up=0 ct=0 env_a="" env_b="" silo_a="" silo_b="" settle=""
while (($#)); do
  case "$1" in
    --a) silo_a="$2"; shift ;;
    --b) silo_b="$2"; shift ;;
    --pairs) pairs="$2"; shift ;;
    --studies) studies="$2"; shift ;;
    --warm-up) warm_up="$2"; shift ;;
    --ct) ct="$2"; shift ;;
    --env-a) env_a="$2"; shift ;;
    --env-b) env_b="$2"; shift ;;
    --settle) settle=wait ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$silo_a/Mirc.Silo.dll" ] && { [ -f "$silo_b/Mirc.Silo.dll" ] || [ "$silo_b" = orthanc ]; } \
  || { echo "--a and --b must name folders holding Mirc.Silo.dll (--b may be orthanc)" >&2; exit 2; }

# shellcheck source=bench/bench-silo.sh
. "$repo/bench/bench-silo.sh"
work="$(mktemp -d /tmp/mirc-alternate.XXXXXX)"
silo_pid=""
trap '[ -n "$silo_pid" ] && kill "$silo_pid" 2>/dev/null; delete_run_data "$work"' EXIT
log() { printf '[alternate %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn_recent_cleanup "$work" "$settle"

calling_ae=MIRCBENCH move_ae=MIRCBENCHRCV

# Orthanc's stored instances, from its REST API (what /metrics gives for the silo).
orthanc_instances() { curl -sf "http://127.0.0.1:$1/statistics" | python3 -c 'import json, sys; print(json.load(sys.stdin)["CountInstances"])' 2>/dev/null || echo 0; }
silo_instances() { curl -sf "http://127.0.0.1:$1/metrics" | awk '/^mirc_ingest_instances_total\{.*status="Stored"/ { n += $NF } END { print n + 0 }'; }

# One run: prints "<µs of server CPU per study> <studies/s>" for build $1 (or orthanc) with extra settings $2.
run_once() {
  local build="$1" extra="$2" data http dicom move samples called count
  data="$work/run-$RANDOM" http="$(free_port)" dicom="$(free_port)" move="$(free_port)"
  mkdir -p "$data"
  if [ "$build" = orthanc ]; then
    orthanc_config "$data/orthanc-data" "$orthanc_plugin" "$http" "$dicom" "$calling_ae" "$move_ae" "$move" >"$data/orthanc.json"
    mkdir -p "$data/orthanc-data"
    # shellcheck disable=SC2086 # $extra holds several K=V settings
    env TCP_NODELAY=1 $extra /usr/sbin/Orthanc "$data/orthanc.json" >"$data/orthanc.log" 2>&1 &
    silo_pid=$! called=ORTHANC count=orthanc_instances
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$http/system" >/dev/null && break; sleep 1; done
  else
    bench_seed_for "$calling_ae" "$move_ae" "$move"
    # shellcheck disable=SC2086 # $extra holds several K=V settings
    env -C "$data" DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production DOTNET_CONTENTROOT="$data" \
      Logging__LogLevel__Default=Warning Mirc__DataPath="$data/mirc-data" Mirc__HttpUrl="http://127.0.0.1:$http" \
      Mirc__SiloPort="$(free_port)" Mirc__GatewayPort="$(free_port)" Mirc__Dicom__Port="$dicom" "${bench_seed[@]}" $extra \
      dotnet "$build/Mirc.Silo.dll" >"$data/silo.log" 2>&1 &
    silo_pid=$! called=MIRC count=silo_instances
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$http/readyz" >/dev/null && break; sleep 1; done
  fi
  # A first batch on the same server, not measured: this run then sees the steady state that compare.sh, where the
  # scenario comes after the others, sees — not the silo's first seconds, when tier-1 JIT compilation takes a core.
  if ((warm_up > 0)); then
    dotnet "$repo/bench/Mirc.Bench/bin/Release/net10.0/Mirc.Bench.dll" --label warm-up --dicom-port "$dicom" \
      --called-ae "$called" --calling-ae "$calling_ae" --move-ae "$move_ae" --move-port "$move" --only dimse \
      --ct-slices 4 --mr-slices 0 --frames 0 --scaling none --small-studies "$warm_up" >"$data/warm-up.txt" 2>&1 || true
  fi
  samples="$data/samples.txt"
  # Each second: the server's CPU ticks and the instances it has stored (one per one-instance study).
  (
    while kill -0 "$silo_pid" 2>/dev/null; do
      printf '%s %s\n' "$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$silo_pid/stat" 2>/dev/null)" "$("$count" "$http")"
      sleep 1
    done
  ) >"$samples" &
  local sampler=$!
  dotnet "$repo/bench/Mirc.Bench/bin/Release/net10.0/Mirc.Bench.dll" --label alternate --dicom-port "$dicom" \
    --called-ae "$called" --calling-ae "$calling_ae" --move-ae "$move_ae" --move-port "$move" --only dimse \
    "${measured[@]}" >"$data/bench.txt" 2>&1 || true
  kill "$silo_pid" 2>/dev/null; wait "$silo_pid" 2>/dev/null || true
  silo_pid=""
  wait "$sampler" 2>/dev/null || true
  local rate
  rate="$(awk -F'|' -v row="$rate_row" '$2 == " " row " " { gsub(/ /, "", $5); print $5 }' "$data/bench.txt")"
  # Steady part: intervals storing more than 100 studies, the first three of them left out — fewer when the run has
  # few such intervals (a fast server after a warm-up, or Orthanc's /statistics answering late under load).
  awk -v hz="$(getconf CLK_TCK)" -v rate="${rate:-?}" '
    NR > 1 && $2 - n > 100 { k++; dc[k] = $1 - c; dn[k] = $2 - n }
    { c = $1; n = $2 }
    END {
      skip = k > 6 ? 3 : k > 2 ? 1 : 0
      for (i = skip + 1; i <= k; i++) { cpu += dc[i]; studies += dn[i] }
      if (studies > 0) printf "%.0f %s\n", cpu / hz * 1e6 / studies, rate; else print "? " rate }' "$samples"
}

# What a run stores and measures, and the row of Mirc.Bench's table that gives its rate.
if ((ct > 0)); then
  measured=(--ct-slices "$ct" --mr-slices 0 --frames 0 --scaling none --small-studies 0 --no-warm-up)
  rate_row=dimse.c-store.k4 unit=slice units=slices
else
  measured=(--ct-slices 4 --mr-slices 0 --frames 0 --scaling none --small-studies "$studies")
  rate_row=dimse.c-store.one-instance-studies.k4 unit=study units=studies
fi

orthanc_plugin=""
if [ "$silo_b" = orthanc ]; then
  orthanc_plugin="$(orthanc_plugin_path "$work/apt.log")" || exit 1
fi

# The first run of a set can measure ~20 % more CPU per study than the runs after it (two sets of 2026-12-06: 4,515 and
# 4,993 µs against 3,300 – 4,400, one of them after the settle wait; bench/README.md, "Ingest, thirty-second pass"):
# one run of A first, reported and not counted.
log "first run (A), not counted: $(run_once "$silo_a" "$env_a") (µs of server CPU per $unit, $units/s)"

results=()
for pair in $(seq 1 "$pairs"); do
  for side in A B; do
    if [ "$side" = A ]; then line="$(run_once "$silo_a" "$env_a")"; else line="$(run_once "$silo_b" "$env_b")"; fi
    log "pair $pair, $side: $line (µs of server CPU per $unit, $units/s)"
    results+=("$pair $side $line")
  done
done

printf '%s\n' "${results[@]}" | python3 -c '
import math, statistics, sys
runs = [line.split() for line in sys.stdin]
by_pair = {}
for pair, side, cpu, rate in runs:
    by_pair.setdefault(int(pair), {})[side] = (cpu, rate)
unit, units = sys.argv[1:3]
print("| pair | A µs/%s | A %s/s | B µs/%s | B %s/s | B vs A (CPU) | A/B (rate) |" % (unit, units, unit, units))
print("|---:|---:|---:|---:|---:|---:|---:|")
cpu = {"A": [], "B": []}
ratios = []
lower = 0
for pair, sides in sorted(by_pair.items()):
    (ca, ra), (cb, rb) = sides["A"], sides["B"]
    delta = ratio = "?"
    if "?" not in (ca, cb):
        cpu["A"].append(float(ca)); cpu["B"].append(float(cb))
        delta = "%+.1f %%" % (100 * (float(cb) / float(ca) - 1))
        lower += float(cb) < float(ca)
    try:
        ratios.append(float(ra) / float(rb)); ratio = "%.2f×" % ratios[-1]
    except (ValueError, ZeroDivisionError):
        pass
    print("| %d | %s | %s | %s | %s | %s | %s |" % (pair, ca, ra, cb, rb, delta, ratio))
if cpu["A"]:
    ma, mb = statistics.mean(cpu["A"]), statistics.mean(cpu["B"])
    print("\nmean µs of server CPU per %s: A %.0f, B %.0f (%+.1f %%); median A %.0f, B %.0f; B lower in %d of %d pairs"
          % (unit, ma, mb, 100 * (mb / ma - 1), statistics.median(cpu["A"]), statistics.median(cpu["B"]), lower, len(cpu["A"])))
if ratios:
    print("rate A/B: median %.2f×, range %.2f – %.2f× over %d pairs" % (statistics.median(ratios), min(ratios), max(ratios), len(ratios)))
# How far the pairs show a difference at all (this VM: a pair of one build against itself differs by ±7 %): the mean
# of the per-pair CPU changes with its standard error, and the sign test of "B lower" (two-sided, exact binomial).
deltas = [100 * (b / a - 1) for a, b in zip(cpu["A"], cpu["B"])]
if len(deltas) >= 2:
    n, k = len(deltas), lower
    tail = sum(math.comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2 ** n
    print("CPU change per pair: %+.1f %% ± %.1f %% (mean ± standard error); sign test: B lower in %d of %d, p = %.2f%s"
          % (statistics.mean(deltas), statistics.stdev(deltas) / math.sqrt(n), k, n, min(1.0, 2 * tail),
             "" if 2 * tail < 0.05 else " — not shown to differ"))
' "$unit" "$units"
