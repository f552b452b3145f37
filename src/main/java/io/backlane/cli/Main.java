package io.backlane.cli;

import io.backlane.kernel.Kernels;

/** Entry point of the command-line tool (placeholder until the CLI lands). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Kernels k = Kernels.get();
        int n = 64;
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < n * n; i++) {
            a[i] = (i % 7) - 3;
            b[i] = (i % 5) - 2;
        }
        k.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        double err = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += a[i * n + p] * b[p * n + j];
                }
                err = Math.max(err, Math.abs(s - c[i * n + j]));
            }
        }
        System.out.println("kernels: " + k.name() + "; sgemm 64x64x64 max error " + err);
    }
}
