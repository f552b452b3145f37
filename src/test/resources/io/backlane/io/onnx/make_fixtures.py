#!/usr/bin/python3
"""Writes the PyTorch-exported ONNX fixtures that OnnxPyTorchFixturesTest imports.

Run by hand from this directory with Debian's python3-torch (1.13, TorchScript exporter, opsets <= 17):

    /usr/bin/python3 make_fixtures.py

For each fixture NAME it writes NAME.onnx and NAME.csv (a header x0..,y0.., then one row per fixed
input: the inputs and PyTorch's outputs, printed with 9 significant digits, enough to give back the
float32 values), and fixtures.txt lists the names. Everything is seeded, so a rerun with the same
torch writes the same numbers. The CI never runs this script; its outputs are committed.
"""
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class Normalize(nn.Module):
    """(x - mean) / std as the first operation: Sub and Div nodes with constant initializers."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))

    def forward(self, x):
        return (x - self.mean) / self.std


class MatMulLinear(nn.Module):
    """x @ W + b with W stored [in, out]: exported as MatMul and Add (nn.Linear on rank 2 gives Gemm)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out) * 0.5)
        self.bias = nn.Parameter(torch.randn(n_out) * 0.1)

    def forward(self, x):
        return x @ self.weight + self.bias


class FlattenView(nn.Module):
    """x.view(-1, n): a Reshape to rank 2 with a constant shape."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        return x.view(-1, self.n)


def fixtures():
    """(name, module, input shape, opset, dynamic batch) of every fixture."""
    torch.manual_seed(20240611)
    return [
        ("gemm_relu_softmax_opset9",
         nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1)), (6, 4), 9, True),
        ("gemm_tanh_sigmoid_opset11",
         nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1), nn.Sigmoid()), (6, 4), 11, False),
        ("gemm_leaky_identity_opset13",
         nn.Sequential(nn.Linear(4, 5), nn.LeakyReLU(0.2), nn.Linear(5, 2)), (6, 4), 13, True),
        ("gemm_sigmoid_softmax_last_axis_opset17",
         nn.Sequential(nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 3), nn.Softmax(dim=-1)), (6, 4), 17, True),
        ("normalized_gemm_relu_softmax_opset17",
         nn.Sequential(Normalize([5.8, 3.0, 3.7, 1.2], [0.8, 0.4, 1.7, 0.75]),
                       nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1)), (6, 4), 17, True),
        ("normalized_gemm_tanh_opset11",
         nn.Sequential(Normalize([1.0, -2.0, 0.5, 4.0], [2.0, 0.5, 1.5, 3.0]),
                       nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1)), (6, 4), 11, False),
        ("matmul_add_relu_softmax_opset9",
         nn.Sequential(MatMulLinear(4, 6), nn.ReLU(), MatMulLinear(6, 3), nn.Softmax(dim=1)), (6, 4), 9, True),
        ("matmul_add_leaky_sigmoid_opset13",
         nn.Sequential(MatMulLinear(4, 6), nn.LeakyReLU(0.05), MatMulLinear(6, 1), nn.Sigmoid()), (6, 4), 13, True),
        ("matmul_add_tanh_opset17",
         nn.Sequential(MatMulLinear(4, 5), nn.Tanh(), MatMulLinear(5, 2)), (6, 4), 17, True),
        ("flatten_gemm_relu_softmax_opset11",
         nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3), nn.Softmax(dim=1)), (6, 2, 3), 11,
         True),
        ("reshape_gemm_sigmoid_opset13",
         nn.Sequential(FlattenView(6), nn.Linear(6, 4), nn.Sigmoid(), nn.Linear(4, 2), nn.Sigmoid()), (6, 2, 3), 13,
         False),
    ]


def main():
    names = []
    for name, module, shape, opset, dynamic in fixtures():
        module.eval()
        x = torch.randn(*shape) * 2.0
        with torch.no_grad():
            y = module(x)
        path = os.path.join(HERE, name + ".onnx")
        torch.onnx.export(module, x, path, opset_version=opset, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}} if dynamic else None)
        rows_in = x.reshape(shape[0], -1)
        with open(os.path.join(HERE, name + ".csv"), "w") as out:
            header = ["x%d" % j for j in range(rows_in.shape[1])] + ["y%d" % k for k in range(y.shape[1])]
            out.write(",".join(header) + "\n")
            for i in range(shape[0]):
                values = list(rows_in[i].tolist()) + list(y[i].tolist())
                out.write(",".join("%.9g" % v for v in values) + "\n")
        names.append(name)
    with open(os.path.join(HERE, "fixtures.txt"), "w") as out:
        out.write("# written by make_fixtures.py with torch %s\n" % torch.__version__)
        out.write("\n".join(names) + "\n")


if __name__ == "__main__":
    main()
