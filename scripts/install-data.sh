#!/usr/bin/env bash
# Installs Debian's Fashion-MNIST package if its files are missing. Needs root or sudo.
set -euo pipefail
DIR=/usr/share/datasets/fashion-mnist
if [ -f "$DIR/train-images-idx3-ubyte.gz" ] && [ -f "$DIR/t10k-labels-idx1-ubyte.gz" ]; then
  exit 0
fi
echo "Fashion-MNIST is missing from $DIR: installing Debian's dataset-fashion-mnist package" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "error: not root and no sudo; run 'apt-get install dataset-fashion-mnist' as root" >&2; exit 2; fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null
