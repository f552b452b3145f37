#!/usr/bin/env python3
"""Writes the benchmark model for ONNX Runtime, the peer of backlane's prediction benchmarks.

784-256-128-10 (ReLU, ReLU, softmax over axis 1), weights drawn by PyTorch from a fixed seed, exported
by PyTorch's own ONNX exporter (opset 17, dynamic batch dimension), and the same weights as raw
little-endian float32 in backlane's parameter layout (W[1] row-major (out, in), b[1], W[2], b[2], ...:
the layout of torch.nn.Linear's weight and bias), so that PredictBenchmark serves the identical model
in both engines and checks that their outputs agree before it measures anything.

Run with Debian's python3-torch (the system Python), from the repository root:
    /usr/bin/python3 bench/peers/export_mlp.py
It writes bench/src/main/resources/mlp-784-256-128-10.onnx and .params (committed).
"""
import os
import struct

import torch

torch.manual_seed(20261203)
net = torch.nn.Sequential(
    torch.nn.Linear(784, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 128), torch.nn.ReLU(),
    torch.nn.Linear(128, 10), torch.nn.Softmax(dim=1))
net.eval()

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "src", "main", "resources")
os.makedirs(out, exist_ok=True)
base = os.path.join(out, "mlp-784-256-128-10")

torch.onnx.export(net, torch.zeros(1, 784), base + ".onnx", opset_version=17,
                  input_names=["input"], output_names=["probabilities"],
                  dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})

values = []
for layer in net:
    if isinstance(layer, torch.nn.Linear):
        values += layer.weight.detach().reshape(-1).tolist()
        values += layer.bias.detach().reshape(-1).tolist()
with open(base + ".params", "wb") as f:
    f.write(struct.pack("<%df" % len(values), *values))
print(f"wrote {base}.onnx and {base}.params ({len(values)} parameters)")
