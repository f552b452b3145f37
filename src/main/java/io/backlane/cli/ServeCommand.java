package io.backlane.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code backlane serve}: a saved model behind a small HTTP server, reloaded when its file changes. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves a saved model over HTTP until stopped (Ctrl-C):",
                "  POST /predict  {\"features\": [..]} or {\"features\": {\"name\": value, ..}}, or {\"rows\": [..]}",
                "  GET  /health, GET /model (id, features, labels, metadata), GET /metrics (Prometheus text)",
                "  POST /reload   read the model file again (also done when the file changes, with --watch-ms)",
                "Every answer names the model that gave it. A model file that does not load leaves the old model"
                        + " serving. Binds to 127.0.0.1 unless --host says otherwise."},
        footer = {"", "Examples:",
                "  backlane serve --model cancer.bkln --port 8080",
                "  curl -s localhost:8080/predict -d '{\"features\": [17.99, 10.38, ...]}'"})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ModelOption model;


    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to listen on (0.0.0.0: every interface).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "The port; 0 for any free one.")
    int port;

    @Option(names = "--threads", paramLabel = "N",
            description = "Predictions computed at once (each request is read on a virtual thread of its own). Default: the processors.")
    Integer threads;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "1048576",
            description = "The largest request body accepted (larger: 413).")
    int maxBodyBytes;

    @Option(names = "--watch-ms", paramLabel = "MS", defaultValue = "1000",
            description = "How often to look whether the model file changed (and reload it); 0: only POST /reload.")
    long watchMillis;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new UsageException("--port must be in [0, 65535], got " + port);
        }
        int handlerThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (handlerThreads < 1 || maxBodyBytes < 1 || watchMillis < 0) {
            throw new UsageException("--threads and --max-body-bytes must be >= 1 and --watch-ms >= 0");
        }
        PrintWriter err = main.spec.commandLine().getErr();
        PredictionServer server;
        try {
            server = new PredictionServer(model.path, model::load, host, port, handlerThreads,
                    maxBodyBytes, watchMillis, err);
        } catch (java.net.BindException e) {
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage()
                    + " (another server on that port? --port 0 takes any free one)", e);
        }
        PrintWriter out = main.spec.commandLine().getOut();
        out.printf("serving   %s (model %s) on http://%s:%d%n", model.path, server.model().id(), host, server.port());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "backlane-serve-shutdown"));
        stopped.await();
        return 0;
    }
}
