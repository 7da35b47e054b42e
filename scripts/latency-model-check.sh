#!/usr/bin/env bash
# Checks the latency model against measured time over the architectures the strategies and the budget
# search produce: each architecture exported with random weights (waec export), then predicted and timed
# alternately with its backbone in each of 3 fresh JVMs, as a run with latency.forks=3 times a row (waec latency
# BACKBONE X --pairwise --predict; the median of the three); prints each error, then R-squared and the median
# absolute error over the architectures, of the time and of the speed-up over the backbone.
# Usage: scripts/latency-model-check.sh [32|224|both] [RUNS]
#   32: the main job's backbone (vgg16-bn-small at width 0.25, 1x32x32), 22 architectures
#   224: VGG16 at 3x224x224, 10 architectures (measuring their pieces into an empty table: about 40 minutes)
# The model's table is the default one (WAEC_CACHE, or ~/.cache/waec/latency) unless LATENCY_TABLE names one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHICH="${1:-both}"
RUNS="${2:-100}"
case "$WHICH" in 32|224|both) ;; *) echo "latency-model-check: '$WHICH': expected 32, 224 or both" >&2; exit 2 ;; esac
case "$RUNS" in ''|*[!0-9]*|0) echo "latency-model-check: RUNS '$RUNS': expected a whole number above 0" >&2; exit 2 ;; esac
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
TABLE=()
[ -n "${LATENCY_TABLE:-}" ] && TABLE=(--latency-table "$LATENCY_TABLE")

# one architecture: NAME STRATEGY [KEY=VALUE ...]
export_one() {
  local dir="$1" backbone="$2" input="$3" width="$4" name="$5" strategy="$6"
  shift 6
  local target="$backbone" sets=()
  [ "$strategy" != "-" ] && target="$strategy-on-$backbone"
  for kv in "$@"; do sets+=(--set "$kv"); done
  "$ROOT/waec" export "$target" --input "$input" --width "$width" --no-check ${sets[@]+"${sets[@]}"} \
    --out "$dir/$name.onnx" >/dev/null </dev/null
}

check() {
  local size="$1" backbone="$2" input="$3" width="$4" runs="$5"
  local dir="$WORK/$size"
  mkdir -p "$dir"
  echo "== $size: exporting architectures of $backbone at $input ..." >&2
  while read -r name strategy settings; do
    [ -z "$name" ] && continue
    # shellcheck disable=SC2086
    export_one "$dir" "$backbone" "$input" "$width" "$name" "$strategy" $settings
  done
  echo "== $size: predicting and timing each against the backbone in a fresh JVM ($runs runs) ..." >&2
  printf '%-16s %12s %12s %8s %10s %10s\n' "network" "measured ms" "predicted ms" "error" "speed-up" "predicted" \
    | tee "$dir/fit.txt"
  local pb=""
  for f in "$dir"/*.onnx; do
    local ms_all=() sp_all=() ms pred speedup line
    for fork in 1 2 3; do
      # shellcheck disable=SC2086
      line=$("$ROOT/waec" latency "$dir/a-backbone.onnx" "$f" --pairwise --predict --runs "$runs" --warmup 10 \
        ${TABLE[@]+"${TABLE[@]}"} 2> >(grep -v "ETA" >&2) | awk '/^network/ { row = 1; next }
          row == 1 { row = 2; next } row == 2 { sub("x", "", $4); print $2, $5, $4; row = 0 }')
      read -r ms pred speedup <<< "$line"
      ms_all+=("$ms")
      sp_all+=("$speedup")
    done
    ms=$(printf '%s\n' "${ms_all[@]}" | sort -g | sed -n 2p)
    speedup=$(printf '%s\n' "${sp_all[@]}" | sort -g | sed -n 2p)
    [ -z "$pb" ] && pb="$pred"  # a-backbone comes first: its predicted time
    awk -v n="$(basename "$f" .onnx)" -v m="$ms" -v p="$pred" -v s="$speedup" -v b="$pb" 'BEGIN {
      printf "%-16s %12.3f %12.3f %7.1f%% %9.2fx %9.2fx\n", n, m, p, (p - m) / m * 100, s, b / p }' \
      | tee -a "$dir/fit.txt"
  done
  local r2 med sp
  r2=$(awk 'NR > 1 { m[NR] = $2; p[NR] = $3; s += $2; n++ }
    END { mean = s / n; for (i in m) { res += (m[i] - p[i])^2; tot += (m[i] - mean)^2 }; printf "%.3f", 1 - res / tot }' \
    "$dir/fit.txt")
  med=$(awk 'NR > 1 { e = ($3 - $2) / $2; if (e < 0) e = -e; print e }' "$dir/fit.txt" | sort -g | awk '
    { e[NR] = $1 } END { m = NR % 2 ? e[(NR + 1) / 2] : (e[NR / 2] + e[NR / 2 + 1]) / 2
      printf "%d architectures: time: median absolute error %.1f%%, largest %.1f%%", NR, 100 * m, 100 * e[NR] }')
  sp=$(awk 'NR > 2 { a = $5; b = $6; sub("x", "", a); sub("x", "", b); e = (b - a) / a; if (e < 0) e = -e; print e }' \
    "$dir/fit.txt" | sort -g | awk '{ e[NR] = $1 } END { m = NR % 2 ? e[(NR + 1) / 2] : (e[NR / 2] + e[NR / 2 + 1]) / 2
      printf "speed-up over the backbone (paired, so drift cancels): median absolute error %.1f%%, largest %.1f%%",
        100 * m, 100 * e[NR] }')
  echo "$size: $med, R-squared $r2 (predicted against measured); $sp"
}

if [ "$WHICH" = 32 ] || [ "$WHICH" = both ]; then
  check 32 vgg16-bn-small 1x32x32 0.25 "$RUNS" <<'EOF'
a-backbone -
thinet-50 thinet ratio=0.5
thinet-50-m8 thinet ratio=0.5 channelMultiple=8
thinet-70 thinet ratio=0.7
thinet-70-m8 thinet ratio=0.7 channelMultiple=8
thinet-70-m16 thinet ratio=0.7 channelMultiple=16
thinet-30 thinet ratio=0.3
thinet-30-m8 thinet ratio=0.3 channelMultiple=8
thinet-30-m16 thinet ratio=0.3 channelMultiple=16
thinet-90 thinet ratio=0.9
thinet-gap thinet-gap channelMultiple=8
thinet-tiny thinet-tiny
taylor-1 taylor-1
taylor-1-m8 taylor-1 channelMultiple=8
taylor-1-m16 taylor-1 channelMultiple=16
lowrank lowrank
lowrank-m8 lowrank channelMultiple=8
budget-a thinet layerRatios=features.0:0.5,features.3:0.3,features.7:0.7,features.17:0.5,features.27:0.3
budget-b thinet layerRatios=features.10:0.3,features.14:0.5,features.20:0.3,features.30:0.7,features.37:0.5 channelMultiple=8
wae wae
wavelet wavelet
resize resize
EOF
fi
if [ "$WHICH" = 224 ] || [ "$WHICH" = both ]; then
  check 224 vgg16 3x224x224 1.0 $(( RUNS < 20 ? RUNS : 20 )) <<'EOF'
a-backbone -
thinet-50 thinet ratio=0.5
thinet-70 thinet ratio=0.7
thinet-30 thinet ratio=0.3
thinet-30-m16 thinet ratio=0.3 channelMultiple=16
thinet-gap thinet-gap
taylor-1 taylor-1
lowrank lowrank
wae wae
resize resize
EOF
fi
