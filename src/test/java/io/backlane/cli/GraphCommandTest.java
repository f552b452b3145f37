package io.backlane.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code graph}: the DOT text checked for structure (no Graphviz needed). */
class GraphCommandTest {
    private static final Pattern NODE = Pattern.compile("(?m)^\\s*(\\w+) \\[(.*)\\];$");
    private static final Pattern EDGE = Pattern.compile("(?m)^\\s*(\\w+) -> (\\w+)(?: \\[(.*)\\])?;$");
    private static final Pattern MENTION = Pattern.compile("(?m)^\\s*(\\w+);$");

    /** An edge of the graph. */
    record Edge(String from, String to, String attributes) {
        boolean red() {
            return attributes.contains("color=red") && attributes.contains("fontcolor=red");
        }

        String label() {
            Matcher m = Pattern.compile("label=\"([^\"]*)\"").matcher(attributes);
            return m.find() ? m.group(1) : "";
        }
    }

    @Test
    void describedNetworkHasEveryBoxAndEdge() {
        String dot = Cli.run("graph", "--inputs", "30", "--layers", "16:relu,8:tanh", "--outputs", "1").expect(0).out();
        check(dot, 3);
        assertTrue(dot.contains("rankdir=LR"), dot);
        assertTrue(dot.contains("label=\"z[1] = W[1] a[0] + b[1]\""), dot);
        assertTrue(dot.contains("label=\"a[1] = relu(z[1])"), dot);
        assertTrue(dot.contains("label=\"a[2] = tanh(z[2])"), dot);
        assertTrue(dot.contains("label=\"a[3] = sigmoid(z[3])"), dot);
        assertTrue(dot.contains("label=\"L(a[3], y)\\nbinary_cross_entropy\""), dot);
        assertTrue(dot.contains("W1 [shape=plaintext"), dot);
    }

    @Test
    void savedModelToAFile(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.bkln");
        Cli.run("train", "--data", "digits", "--epochs", "1", "--layers", "12:leaky_relu", "--save", model.toString()).expect(0);
        Path out = dir.resolve("m.dot");
        Cli.Result r = Cli.run("graph", "--model", model.toString(), "--output", out.toString()).expect(0);
        assertEquals("", r.out());
        String dot = Files.readString(out, StandardCharsets.UTF_8);
        check(dot, 2);
        assertTrue(dot.contains("leaky_relu"), dot);
        assertTrue(dot.contains("softmax(z[2])"), dot);

        Cli.Result both = Cli.run("graph", "--model", model.toString(), "--layers", "3:relu").expect(2).noStackTrace();
        assertTrue(both.err().contains("--model and --layers do not go together"), both.err());
    }

    /** Balanced braces, every edge between declared nodes, the forward chain, and red backward edges per layer. */
    static void check(String dot, int layers) {
        assertTrue(dot.startsWith("digraph "), dot);
        int depth = 0;
        for (char c : dot.toCharArray()) {
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            assertTrue(depth >= 0, "closing brace without an opening one");
        }
        assertEquals(0, depth, "unbalanced braces");
        assertTrue(dot.strip().endsWith("}"), dot);

        Set<String> nodes = new HashSet<>();
        Matcher n = NODE.matcher(dot);
        while (n.find()) {
            if (!n.group(1).equals("node") && !n.group(1).equals("edge")) {
                nodes.add(n.group(1));
            }
        }
        List<Edge> edges = new ArrayList<>();
        Matcher e = EDGE.matcher(dot);
        while (e.find()) {
            edges.add(new Edge(e.group(1), e.group(2), e.group(3) == null ? "" : e.group(3)));
        }
        Matcher mention = MENTION.matcher(dot);
        while (mention.find()) {
            assertTrue(nodes.contains(mention.group(1)) || dot.indexOf(mention.group(1) + " [") > 0,
                    "subgraph names an undeclared node " + mention.group(1));
        }
        for (Edge edge : edges) {
            assertTrue(nodes.contains(edge.from()), "undeclared node " + edge.from());
            assertTrue(nodes.contains(edge.to()), "undeclared node " + edge.to());
        }
        List<String> expectedNodes = new ArrayList<>(List.of("x", "y", "loss"));
        for (int l = 1; l <= layers; l++) {
            expectedNodes.addAll(List.of("z" + l, "a" + l, "W" + l, "b" + l));
        }
        assertEquals(Set.copyOf(expectedNodes), nodes);

        Set<Edge> forward = new HashSet<>();
        for (Edge edge : edges) {
            if (!edge.red()) {
                forward.add(new Edge(edge.from(), edge.to(), ""));
            }
        }
        for (int l = 1; l <= layers; l++) {
            String prev = l == 1 ? "x" : "a" + (l - 1);
            for (String from : List.of(prev, "W" + l, "b" + l)) {
                assertTrue(forward.contains(new Edge(from, "z" + l, "")), from + " -> z" + l);
            }
            assertTrue(forward.contains(new Edge("z" + l, "a" + l, "")), "z -> a " + l);
            String after = l == layers ? "loss" : "z" + (l + 1);
            List<String> red = edges.stream().filter(Edge::red).map(x -> x.from() + ">" + x.to() + ":" + x.label()).toList();
            assertTrue(red.contains(after + ">a" + l + ":da[" + l + "]"), "da[" + l + "] in " + red);
            assertTrue(red.contains("a" + l + ">z" + l + ":dz[" + l + "]"), "dz[" + l + "] in " + red);
            assertTrue(red.contains("z" + l + ">W" + l + ":dW[" + l + "]"), "dW[" + l + "] in " + red);
            assertTrue(red.contains("z" + l + ">b" + l + ":db[" + l + "]"), "db[" + l + "] in " + red);
        }
        assertTrue(forward.contains(new Edge("a" + layers, "loss", "")));
        assertTrue(forward.contains(new Edge("y", "loss", "")));
        assertEquals(4 * layers, edges.stream().filter(Edge::red).count(), "four red edges per layer");
    }
}
