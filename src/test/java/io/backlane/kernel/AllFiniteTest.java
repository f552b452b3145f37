package io.backlane.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** allFinite finds one NaN or infinity at any position, on both implementations. */
class AllFiniteTest {
    @Test
    void findsEveryNonFiniteValueAnywhere() {
        for (Kernels k : new Kernels[] {Kernels.get(), KernelProvider.scalar()}) {
            for (int n : new int[] {0, 1, 15, 16, 17, 33, 64, 70, 257}) {
                float[] x = new float[n + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (i % 2 == 0 ? 3e38f : -1e-30f);
                }
                assertTrue(k.allFinite(n, x, 2), k.name() + " n=" + n);
                for (int bad = 0; bad < n; bad++) {
                    for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                        float keep = x[2 + bad];
                        x[2 + bad] = v;
                        assertFalse(k.allFinite(n, x, 2), k.name() + " n=" + n + " " + v + " at " + bad);
                        x[2 + bad] = keep;
                    }
                }
                x[1] = Float.NaN; // outside the range: ignored
                x[2 + n] = Float.NaN;
                assertTrue(k.allFinite(n, x, 2));
            }
        }
    }
}
