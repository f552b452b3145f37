#!/usr/bin/env bash
# Runs the peers of backlane's benchmarks at their best, for the same session as bench/run.sh:
# PyTorch (Debian's python3-torch, one intra-op thread) on the workloads of TrainStepBenchmark,
# SmallStepBenchmark and PredictBenchmark (bench/peers/pytorch_peer.py). Arguments: which workloads
# (train, small, predict; default all).
#
# Like run.sh it unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (some machines set them, which holds
# PyTorch's OpenBLAS to its AVX2 kernels), sets one OpenBLAS/OpenMP thread, and pins to BENCH_CPUS
# (default: the last CPU). Needs: sudo apt-get install python3-torch libopenblas0-pthread (without
# OpenBLAS, Debian's PyTorch may get the reference BLAS, and the peer refuses to run: not at its best)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# Debian's python3-torch lives in the system Python, which may not be the python3 on the PATH (pyenv).
python="${PEER_PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch' 2> /dev/null; then
  echo "run-peers.sh: PyTorch is not installed: sudo apt-get install python3-torch libopenblas0-pthread" >&2
  exit 1
fi
cpus="${BENCH_CPUS:-$(( $(nproc) - 1 ))}"
pin=()
if [[ "$cpus" != "all" ]] && command -v taskset > /dev/null; then
  pin=(taskset -c "$cpus")
fi
echo "run-peers.sh: CPU $(lscpu | sed -n 's/^Model name: *//p'), family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p'); pinned to CPUs ${cpus}" >&2
exec "${pin[@]}" "$python" "$here/peers/pytorch_peer.py" "$@"
