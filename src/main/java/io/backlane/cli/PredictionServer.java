package io.backlane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.backlane.infer.FeatureOrder;
import io.backlane.infer.Prediction;
import io.backlane.infer.Predictor;
import io.backlane.infer.ServingModel;
import io.backlane.nn.Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The HTTP face of a saved model, on the JDK's {@code com.sun.net.httpserver}: one
 * {@link ServingModel} swapped atomically on reload, and a fixed set of {@link Predictor}s, each lent to one
 * request at a time once its body is read.
 *
 * <ul>
 *   <li>{@code POST /predict}: {@code {"features": [..]}} or {@code {"features": {"name": value, ..}}}
 *       for one row, {@code {"rows": [[..], ..]}} (arrays or objects) for many. The answer names the
 *       model that gave it ({@code "model": id}); a classifier's row gives its label, class index and
 *       one probability per class, a regression row its value.</li>
 *   <li>{@code GET /health}, {@code GET /model} (id, network, features, labels, metadata),
 *       {@code GET /metrics} (Prometheus text), {@code POST /reload}.</li>
 * </ul>
 *
 * A bad request gets a 4xx answer with {@code {"error": "..."}} naming the problem, never a stack
 * trace: a path that is not exactly an endpoint's, JSON with a repeated key or anything after the
 * object, a number outside the float range. Request bodies are limited in size. Each request is read
 * on a virtual thread, so that clients that send slowly (or stall) hold no predictor and keep no
 * other client waiting; one that takes longer than {@value #MAX_REQUEST_SECONDS} s to send its request is
 * disconnected. Reloading reads and verifies the file, warms the new model up and swaps it in; a
 * file that does not load leaves the old model serving.
 */
final class PredictionServer implements AutoCloseable {
    /** Upper bounds of the latency histogram, in seconds. */
    private static final double[] LATENCY_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1};

    /** How long a client may take to send its request (the JDK server's {@code sun.net.httpserver.maxReqTime}). */
    static final int MAX_REQUEST_SECONDS = 30;
    /**
     * How much of a body over the limit is read (and dropped) before the 413 is sent: a client that
     * sends its whole body before it reads the answer would otherwise find the connection reset, the
     * unread bytes still in the server's socket, and never see the 413.
     */
    private static final long DRAIN_BYTES = 64L << 20;

    private final ObjectMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)   // {"a": 1, "a": 2} is a 400, not a = 2
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)  // nor is a second object after the first ignored
            .build();
    private final Path modelFile;
    private final PathOptionException.IoAction<Model> loader;   // reads modelFile, whatever its format
    private final int maxBodyBytes;
    private final PrintWriter log;
    private final ServingModel serving;
    private final BlockingQueue<Worker> idleWorkers; // one per prediction that may run at once
    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService watcher;
    private final Object reloadLock = new Object();
    private volatile FileStamp loadedStamp;

    private final Map<String, AtomicLong> requests = new java.util.concurrent.ConcurrentHashMap<>(); // "path code"
    private final AtomicLongArray latencyBuckets = new AtomicLongArray(LATENCY_BUCKETS.length + 1);
    private final AtomicLong latencyNanos = new AtomicLong();
    private final AtomicLong latencyCount = new AtomicLong();
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();

    /**
     * A predictor and reusable answer, lent to one request at a time. The predictor is for one fixed
     * model, the one a request started with, so that every row of a request is answered by the same
     * model even when a reload swaps it meanwhile; a worker makes a new one after a swap.
     */
    private static final class Worker {
        Model model;
        Predictor predictor;
        final Prediction answer = new Prediction();

        Predictor predictorFor(Model m) {
            if (m != model) {
                model = m;
                predictor = Predictor.of(m);
            }
            return predictor;
        }
    }

    /** What identifies a version of the model file on disk, for the watcher. */
    private record FileStamp(long size, long modified, Object key) {
        static FileStamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
        }
    }

    /**
     * Loads {@code modelFile} with {@code loader} (which reads either format) and starts serving it on
     * {@code host:port} (port 0: any free port), computing at most {@code threads} predictions at once;
     * {@code watchMillis} > 0 polls the file that often and reloads it (with {@code loader}) when it changes.
     */
    PredictionServer(Path modelFile, PathOptionException.IoAction<Model> loader, String host, int port, int threads,
                     int maxBodyBytes, long watchMillis, PrintWriter log) throws IOException {
        this.modelFile = modelFile;
        this.loader = loader;
        this.maxBodyBytes = maxBodyBytes;
        this.log = log;
        this.loadedStamp = FileStamp.of(modelFile);
        this.serving = new ServingModel(warmedUp(loader.run()));
        this.idleWorkers = new ArrayBlockingQueue<>(threads);
        for (int i = 0; i < threads; i++) {
            idleWorkers.add(new Worker());
        }
        // Read once, when the JDK's server first starts in this JVM; a value the user set is kept.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        }
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.handlers = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(handlers);
        server.createContext("/predict", e -> handle(e, "POST", this::predict));
        server.createContext("/health", e -> handle(e, "GET", x -> health()));
        server.createContext("/model", e -> handle(e, "GET", x -> describe(serving.current())));
        server.createContext("/reload", e -> handle(e, "POST", x -> reloadNow()));
        server.createContext("/metrics", this::metrics);
        server.createContext("/", e -> handle(e, null, x -> {
            throw notFound(e);
        }));
        server.start();
        if (watchMillis > 0) {
            watcher = Executors.newSingleThreadScheduledExecutor(daemon("backlane-model-watcher"));
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, watchMillis, watchMillis, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The port the server listens on. */
    int port() {
        return server.getAddress().getPort();
    }

    /** The model being served. */
    Model model() {
        return serving.current();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        server.stop(0);
        handlers.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------
    // Requests

    /** A request that cannot be answered, with the status and the message the client gets. */
    private static final class HttpError extends Exception {
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        JsonNode answer(HttpExchange exchange) throws HttpError, IOException;
    }

    private static HttpError notFound(HttpExchange e) {
        return new HttpError(404, "no such endpoint: " + e.getRequestURI().getPath()
                + " (POST /predict, GET /health, GET /model, GET /metrics, POST /reload)");
    }

    /**
     * A request for {@code method} on an endpoint, refused when its path is not exactly the endpoint's
     * (the JDK's server routes by prefix: /healthz, /reload-all) or its method is another.
     */
    private static void requireEndpoint(HttpExchange e, String method) throws HttpError {
        if (!e.getRequestURI().getPath().equals(e.getHttpContext().getPath())) {
            throw notFound(e);
        }
        if (!method.equals(e.getRequestMethod())) {
            e.getResponseHeaders().set("Allow", method);
            throw new HttpError(405, e.getRequestURI().getPath() + " takes " + method + ", not " + e.getRequestMethod());
        }
    }

    private void handle(HttpExchange e, String method, Endpoint endpoint) throws IOException {
        long start = System.nanoTime();
        int status;
        byte[] body;
        try {
            if (method != null) {
                requireEndpoint(e, method);
            }
            body = json.writeValueAsBytes(endpoint.answer(e));
            status = 200;
        } catch (HttpError error) {
            status = error.status;
            body = json.writeValueAsBytes(json.createObjectNode().put("error", error.getMessage()));
        } catch (RuntimeException internal) { // a bug: say so without a stack trace, and log it
            status = 500;
            body = json.writeValueAsBytes(json.createObjectNode().put("error", "internal error: " + internal));
            log.println("backlane serve: internal error on " + e.getRequestURI() + ": " + internal);
            log.flush();
        }
        // Counted before the answer leaves: a client that has its answer then finds it in /metrics.
        // (Counted after, a scrape right after the answer could miss it.)
        count(e.getHttpContext().getPath(), status, System.nanoTime() - start);
        e.getResponseHeaders().set("Content-Type", "application/json");
        e.sendResponseHeaders(status, body.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(body);
        }
    }

    private JsonNode health() {
        return json.createObjectNode().put("status", "ok").put("model", serving.current().id());
    }

    private JsonNode describe(Model m) {
        ObjectNode node = json.createObjectNode();
        node.put("id", m.id());
        node.put("network", m.network().toString());
        node.put("task", m.isClassifier() ? "classification" : "regression");
        ArrayNode features = node.putArray("features");
        m.featureNames().forEach(features::add);
        ArrayNode labels = node.putArray("labels");
        m.classLabels().forEach(labels::add);
        ObjectNode meta = node.putObject("metadata");
        m.metadata().forEach(meta::put);
        return node;
    }

    private JsonNode predict(HttpExchange e) throws HttpError, IOException {
        JsonNode request = readJson(e);
        if (request.has("features") && request.has("rows")) {
            throw new HttpError(400, "the request has both \"features\" (one row) and \"rows\" (several): send one");
        }
        Worker w;
        try {
            w = idleWorkers.take();
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the server is stopping");
        }
        try {
            return predict(request, w);
        } finally {
            idleWorkers.add(w);
        }
    }

    private JsonNode predict(JsonNode request, Worker w) throws HttpError {
        Model model = serving.current(); // the rows of one request are answered by one model
        ObjectNode answer = json.createObjectNode().put("model", model.id());
        if (request.has("features")) {
            answer.set("prediction", predictRow(w, model, request.get("features"), "features"));
        } else if (request.has("rows")) {
            JsonNode rows = request.get("rows");
            if (!rows.isArray()) {
                throw new HttpError(400, "\"rows\" must be an array of rows");
            }
            ArrayNode out = answer.putArray("predictions");
            for (int i = 0; i < rows.size(); i++) {
                out.add(predictRow(w, model, rows.get(i), "row " + i));
            }
        } else {
            throw new HttpError(400, "the request needs \"features\" (one row) or \"rows\" (several): for example"
                    + " {\"features\": [1.5, 2, 0.3]} or {\"features\": {\"" + model.featureNames().get(0) + "\": 1.5, ...}}");
        }
        return answer;
    }

    private ObjectNode predictRow(Worker w, Model model, JsonNode row, String where) throws HttpError {
        float[] x = features(model, row, where);
        try {
            w.predictorFor(model).predict(x, w.answer);
        } catch (IllegalArgumentException bad) { // a non-finite feature, or an overflow, named by the predictor
            throw new HttpError(400, where + ": " + Main.predictorRefusal(bad));
        }
        Prediction p = w.answer;
        ObjectNode node = json.createObjectNode();
        if (model.isClassifier()) {
            node.put("label", p.label());
            node.put("class", p.classIndex());
            ObjectNode probabilities = node.putObject("probabilities");
            for (int c = 0; c < p.classCount(); c++) {
                probabilities.put(model.classLabels().get(c), p.probability(c));
            }
        } else {
            ArrayNode values = node.putArray("values");
            for (int j = 0; j < p.outputCount(); j++) {
                values.add(p.output(j));
            }
            node.put("value", p.output(0));
        }
        return node;
    }

    /** One row's features: an array in the model's feature order, or an object by feature name. */
    private static float[] features(Model model, JsonNode row, String where) throws HttpError {
        List<String> names = model.featureNames();
        float[] x = new float[names.size()];
        if (row != null && row.isArray()) {
            if (row.size() != x.length) {
                throw new HttpError(400, where + ": " + row.size() + " values for a model of " + x.length + " features");
            }
            for (int j = 0; j < x.length; j++) {
                x[j] = number(row.get(j), where + ", feature " + j + " (" + names.get(j) + ")");
            }
            return x;
        }
        if (row != null && row.isObject()) {
            Map<String, Float> byName = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                byName.put(f.getKey(), number(f.getValue(), where + ", feature " + f.getKey()));
            }
            try {
                FeatureOrder.byName(model, byName, x);
            } catch (IllegalArgumentException mismatch) {
                throw new HttpError(400, where + ": " + mismatch.getMessage());
            }
            return x;
        }
        throw new HttpError(400, where + ": expected an array of " + x.length + " numbers or an object of features by name");
    }

    private static float number(JsonNode v, String what) throws HttpError {
        if (v == null || !v.isNumber()) {
            throw new HttpError(400, what + " is " + (v == null ? "missing" : v.toString()) + ", not a number");
        }
        double d = v.doubleValue();
        if (!(Math.abs(d) <= Float.MAX_VALUE)) { // 1e39 would become Infinity
            throw new HttpError(400, what + " is " + v.asText() + ", outside the float range (about ±3.4e38)");
        }
        return (float) d;
    }

    private JsonNode readJson(HttpExchange e) throws HttpError, IOException {
        byte[] body;
        try (InputStream in = e.getRequestBody()) {
            body = in.readNBytes(maxBodyBytes == Integer.MAX_VALUE ? maxBodyBytes : maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                drain(in);
                throw new HttpError(413, "the request body is larger than " + maxBodyBytes + " bytes (serve --max-body-bytes)");
            }
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw new HttpError(400, "the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException bad) {
            throw new HttpError(400, "malformed JSON: " + bad.getOriginalMessage());
        }
    }

    /** Reads and drops what is left of a body, up to {@link #DRAIN_BYTES}. */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 << 10];
        for (long read = 0; read < DRAIN_BYTES; ) {
            int n = in.read(sink);
            if (n < 0) {
                return;
            }
            read += n;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reloading

    private JsonNode reloadNow() throws HttpError {
        try {
            Model m = reload();
            return json.createObjectNode().put("status", "reloaded").put("model", m.id());
        } catch (IOException | RuntimeException failed) {
            throw new HttpError(409, "the model file " + modelFile + " was not loaded (" + Main.describeOrToString(failed)
                    + "); still serving " + serving.current().id());
        }
    }

    /** Reads, verifies, warms up and swaps in the model file; the old model serves until the swap. */
    private Model reload() throws IOException {
        synchronized (reloadLock) {
            FileStamp stamp = FileStamp.of(modelFile);
            try {
                Model m = warmedUp(loader.run());
                serving.swap(m);
                loadedStamp = stamp;
                reloads.incrementAndGet();
                log.println("backlane serve: " + Instant.now() + " loaded " + modelFile + ", model " + m.id());
                log.flush();
                return m;
            } catch (IOException | RuntimeException failed) {
                loadedStamp = stamp; // the same damaged file is not retried until it changes again
                reloadFailures.incrementAndGet();
                log.println("backlane serve: " + Instant.now() + " " + modelFile + " was not loaded ("
                        + Main.describeOrToString(failed) + "); still serving " + serving.current().id());
                log.flush();
                throw failed;
            }
        }
    }

    private void reloadIfChanged() {
        try {
            if (!FileStamp.of(modelFile).equals(loadedStamp)) {
                reload();
            }
        } catch (IOException | RuntimeException ignored) {
            // logged by reload, or the file is being replaced: the next poll looks again
        }
    }

    /** The model, after a few predictions so that the first request meets compiled code. */
    private static Model warmedUp(Model m) {
        Predictor.of(m).warmUp(10_000);
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Metrics

    private void count(String path, int status, long nanos) {
        requests.computeIfAbsent(path + " " + status, k -> new AtomicLong()).incrementAndGet();
        if (path.equals("/predict")) {
            double seconds = nanos / 1e9;
            int b = 0;
            while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]) {
                b++;
            }
            latencyBuckets.incrementAndGet(b);
            latencyNanos.addAndGet(nanos);
            latencyCount.incrementAndGet();
        }
    }

    private void metrics(HttpExchange e) throws IOException {
        try {
            requireEndpoint(e, "GET");
        } catch (HttpError refused) {
            handle(e, null, x -> {
                throw refused;
            });
            return;
        }
        StringBuilder s = new StringBuilder();
        s.append("# HELP backlane_requests_total HTTP requests by endpoint and status code.\n");
        s.append("# TYPE backlane_requests_total counter\n");
        new java.util.TreeMap<>(requests).forEach((key, n) -> {
            String[] pc = key.split(" ");
            s.append("backlane_requests_total{endpoint=\"").append(pc[0]).append("\",code=\"").append(pc[1])
                    .append("\"} ").append(n.get()).append('\n');
        });
        s.append("# HELP backlane_predict_latency_seconds Time to answer POST /predict.\n");
        s.append("# TYPE backlane_predict_latency_seconds histogram\n");
        long cumulative = 0;
        for (int b = 0; b <= LATENCY_BUCKETS.length; b++) {
            cumulative += latencyBuckets.get(b);
            String le = b < LATENCY_BUCKETS.length ? String.format(Locale.ROOT, "%s", LATENCY_BUCKETS[b]) : "+Inf";
            s.append("backlane_predict_latency_seconds_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
        }
        s.append("backlane_predict_latency_seconds_sum ").append(String.format(Locale.ROOT, "%.9f", latencyNanos.get() / 1e9))
                .append('\n');
        s.append("backlane_predict_latency_seconds_count ").append(latencyCount.get()).append('\n');
        s.append("# HELP backlane_model_info The model being served.\n# TYPE backlane_model_info gauge\n");
        s.append("backlane_model_info{id=\"").append(serving.current().id()).append("\"} 1\n");
        s.append("# TYPE backlane_reloads_total counter\nbacklane_reloads_total ").append(reloads.get()).append('\n');
        s.append("# TYPE backlane_reload_failures_total counter\nbacklane_reload_failures_total ")
                .append(reloadFailures.get()).append('\n');
        byte[] body = s.toString().getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        e.sendResponseHeaders(200, body.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(body);
        }
        count("/metrics", 200, 0);
    }
}
