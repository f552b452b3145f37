#!/usr/bin/env python3
"""PyTorch, the peer of backlane's training benchmarks, measured at its best on one thread.

Runs the same workloads as TrainStepBenchmark and SmallStepBenchmark (bench/src/main/java/...),
and one-example prediction as PredictBenchmark, with PyTorch on one intra-op thread, and prints one
line per result. Run it through bench/run-peers.sh, which unsets OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE (they would hold PyTorch's OpenBLAS to AVX2 kernels) and pins it like run.sh.

Workloads (float32, weights initialised like backlane's, inputs uniform in [0, 1)):
  train  784-256-128-10 ReLU, softmax + cross-entropy (from the logits), plain SGD lr 0.01, one step
         = forward, backward, update on one batch; batch 1, 32, 128, 1024; samples/s
  small  30-16-1, ReLU hidden, sigmoid output with binary cross-entropy from the logit, full batch
         of 569 rows, one plain SGD step; microseconds per step
  predict 784-256-128-10, one example, torch.inference_mode; latency percentiles in microseconds
"""
import ctypes
import os
import platform
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.manual_seed(1)


def mlp(widths, hidden, out=None):
    layers = []
    for i in range(1, len(widths)):
        layers.append(torch.nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append(hidden())
    if out is not None:
        layers.append(out())
    return torch.nn.Sequential(*layers)


def rate(step, seconds=2.0, warmup=2.0):
    """Calls per second of step(), after a warm-up, over about `seconds`; the median of 5 rounds."""
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        step()
    rounds = []
    for _ in range(5):
        n = 0
        start = time.perf_counter()
        end = start + seconds / 5
        while time.perf_counter() < end:
            step()
            n += 1
        rounds.append(n / (time.perf_counter() - start))
    return statistics.median(rounds), min(rounds), max(rounds)


def sgd_step(net, loss_fn, x, y, lr):
    """One plain SGD training step of net on (x, y), as a function to time."""
    opt = torch.optim.SGD(net.parameters(), lr=lr)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    return step


def train(batch):
    net = mlp([784, 256, 128, 10], torch.nn.ReLU)
    step = sgd_step(net, torch.nn.CrossEntropyLoss(), torch.rand(batch, 784), torch.randint(0, 10, (batch,)), 0.01)
    median, low, high = rate(step)
    print(f"train batch {batch:5d}: {median * batch:10.0f} samples/s (rounds {low * batch:.0f}..{high * batch:.0f})")


def small():
    net = mlp([30, 16, 1], torch.nn.ReLU)
    step = sgd_step(net, torch.nn.BCEWithLogitsLoss(), torch.rand(569, 30), torch.randint(0, 2, (569, 1)).float(), 0.1)
    median, low, high = rate(step)
    print(f"small 30-16-1 full batch 569: {1e6 / median:8.1f} us/step (rounds {1e6 / high:.1f}..{1e6 / low:.1f})")


def predict():
    net = mlp([784, 256, 128, 10], torch.nn.ReLU, lambda: torch.nn.Softmax(dim=1))
    net.eval()
    x = torch.rand(1, 784)
    samples = []
    with torch.inference_mode():
        for _ in range(20000):  # warm-up
            net(x)
        for _ in range(100000):
            t = time.perf_counter_ns()
            net(x)
            samples.append(time.perf_counter_ns() - t)
    samples.sort()
    q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))] / 1000
    print(f"predict 784-256-128-10 one example: p50 {q(0.5):.1f} us, p99 {q(0.99):.1f} us, p99.9 {q(0.999):.1f} us")


if __name__ == "__main__":
    print(f"# pytorch {torch.__version__}, threads {torch.get_num_threads()}, python {platform.python_version()}")
    print(f"# OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    capability = [l.strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l]
    print("# " + "; ".join(capability) + f"; ATEN_CPU_CAPABILITY={os.environ.get('ATEN_CPU_CAPABILITY', '(unset)')}")
    try:
        openblas = ctypes.CDLL("libopenblas.so.0")
        openblas.openblas_get_corename.restype = ctypes.c_char_p
        core = openblas.openblas_get_corename().decode()
    except OSError:
        core = "none (libopenblas.so.0 not found: PyTorch uses another BLAS)"
    print(f"# OpenBLAS core: {core}")
    with open("/proc/cpuinfo") as f:
        avx512 = any(l.startswith("flags") and " avx512f" in l for l in f)
    if avx512 and core.lower() not in ("skylakex", "cooperlake", "sapphirerapids") and "--allow-core" not in sys.argv:
        sys.exit(f"pytorch_peer.py: OpenBLAS core {core} has no AVX-512 kernels on a CPU with AVX-512:"
                 " PyTorch is not at its best (install libopenblas0-pthread, unset OPENBLAS_CORETYPE;"
                 " --allow-core to measure it anyway)")
    which = [a for a in sys.argv[1:] if not a.startswith("--")] or ["train", "small", "predict"]
    if "train" in which:
        for b in (1, 32, 128, 1024):
            train(b)
    if "small" in which:
        small()
    if "predict" in which:
        predict()
