#!/usr/bin/env bash
# GPU checks, for a machine with an NVIDIA GPU: builds the cu118 engine (PyTorch 2.0.1 with CUDA 11.8, through
# DJL 0.25.0) and runs each check with a time limit, printing one line per check: PASS/FAIL, what, seconds.
# Usage: scripts/gpu-check.sh [--ort-gpu]   (--ort-gpu also builds onnxruntime_gpu and checks its CUDA provider)
# Needs: Java 17, Maven, an NVIDIA driver for CUDA 11.8 (>= 450.80.02); about 2 GB of downloads the first time.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PROFILE=cu118
[ "${1:-}" = "--ort-gpu" ] && PROFILE=cu118,ort-gpu
export WAEC_PROFILE=$PROFILE OPT_OUT_TRACKING=true
OUT="$(mktemp -d)"
FAILED=0
check() {  # check NAME LIMIT_S COMMAND...
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  if timeout "$limit" "$@" > "$OUT/$name.log" 2>&1; then
    printf 'PASS %-28s %4ds\n' "$name" $((SECONDS - t0))
  else
    printf 'FAIL %-28s %4ds  (%s)\n' "$name" $((SECONDS - t0)) "$(tail -1 "$OUT/$name.log" | cut -c1-160)"
    FAILED=1
  fi
}
TINY=(--set backbone.name=resnet20 --set backbone.width=0.5 --set data.kind=synthetic --set data.synthetic.size=32
  --set data.trainSize=2048 --set data.testSize=512 --set train.epochs=2 --set finetune.epochs=1
  --set experiment.then= --set latency.runs=20)
check build 1200 mvn -q -B -P"$PROFILE" install -DskipTests
check nvidia-driver 30 bash -c 'cat /proc/driver/nvidia/version | head -1'
check engine-sees-gpu 120 bash -c "./waec run --out '$OUT/sees' --set device=gpu:0 ${TINY[*]} --set strategies= \
  && grep -q '\"gpusSeen\": [1-9]' '$OUT/sees/provenance.json' && grep -q 'gpu(0)' '$OUT/sees/provenance.json'"
check train-on-gpu 300 bash -c "./waec run --out '$OUT/train' --set device=gpu ${TINY[*]} --set strategies=resize,wae \
  --set latency.engine=pytorch && grep -q '\"cuda\": \"[0-9]' '$OUT/train/provenance.json'"
check multi-gpu-training 300 bash -c "n=\$(nvidia-smi -L | wc -l); [ \"\$n\" -lt 2 ] && echo 'one GPU: skipped' && exit 0; \
  ./waec run --out '$OUT/multi' --set device=gpu:0,1 ${TINY[*]} --set strategies=resize"
# waec latency runs on the engine's default device: the first GPU when the engine sees one
check pytorch-latency-on-gpu 300 ./waec latency vgg16 wae-on-vgg16 --engine pytorch --runs 20
if [ "$PROFILE" = cu118,ort-gpu ]; then
  check ort-cuda-provider 300 bash -c "./waec run --out '$OUT/ort' --set device=gpu ${TINY[*]} --set strategies=resize \
    && grep -q 'CUDA execution provider on GPU 0' '$OUT/ort/table.md'"
fi
echo "logs: $OUT"
exit $FAILED
