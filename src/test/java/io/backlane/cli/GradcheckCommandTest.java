package io.backlane.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gradcheck} end to end. */
class GradcheckCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "",                                                             // defaults: 4-8(tanh)-6(relu)-3(softmax)
            "--inputs 3 --layers 5:sigmoid --outputs 1",                    // binary cross-entropy
            "--inputs 5 --layers 4:relu,3:leaky_relu:0.1 --outputs 2 --loss mse --l2 0.3",
            "--inputs 2 --layers none --outputs 3 --loss bce --examples 7 --seed 9",
            "--inputs 6 --layers 7:tanh,5:identity,4:sigmoid --outputs 4 --l2 1"})
    void passesForSeveralNetworks(String options) {
        String[] args = options.isEmpty() ? new String[] {"gradcheck"} : ("gradcheck " + options).split(" ");
        Cli.Result r = Cli.run(args).expect(0);
        assertTrue(r.out().contains("PASS"), r.out());
        int layers = (int) r.out().lines().filter(l -> l.startsWith("network")).findFirst().orElseThrow()
                .chars().filter(c -> c == '(').count();
        // one line per layer for the reference, and one per layer for the float engine
        for (int l = 1; l <= layers; l++) {
            Matcher m = Pattern.compile("(?m)^  layer " + l + ": W ([0-9.e+-]+), b ([0-9.e+-]+)$").matcher(r.out());
            int found = 0;
            while (m.find()) {
                found++;
                assertTrue(Double.parseDouble(m.group(1)) < 1e-2 && Double.parseDouble(m.group(2)) < 1e-2, r.out());
            }
            assertEquals(2, found, "layer " + l + ":\n" + r.out());
        }
        assertTrue(r.out().contains("reference backpropagation (double) vs finite differences"), r.out());
        assertTrue(r.out().contains("fast engine (float"), r.out());
    }

    @Test
    void exitsOneWhenTheToleranceCannotBeMet() {
        Cli.Result r = Cli.run("gradcheck", "--tolerance", "0").expect(1).noStackTrace();
        assertTrue(r.out().contains("FAIL: reference worst"), r.out());
        assertTrue(r.out().contains("> tolerance 0.0e+00"), r.out());
    }

    @Test
    void exitsOneWhenTheFloatEngineToleranceCannotBeMet() {
        Cli.Result r = Cli.run("gradcheck", "--float-tolerance", "0").expect(1);
        assertTrue(r.out().contains("FAIL: reference worst") && r.out().contains("> float tolerance 0.0e+00"), r.out());
    }

    @Test
    void anImpossibleNetworkIsAUsageError() {
        Cli.Result r = Cli.run("gradcheck", "--outputs", "1", "--loss", "cce").expect(2).noStackTrace();
        assertTrue(r.err().contains("softmax output needs at least 2 units"), r.err());
    }
}
