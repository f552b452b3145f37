package io.backlane.cli;

import io.backlane.train.EpochStats;
import io.backlane.train.TrainingListener;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress, one line per epoch: epoch/total, training loss and accuracy, validation loss
 * and accuracy, examples per second, time elapsed and estimated time left. On a terminal the line
 * is redrawn in place ({@code \r}) and only the last one stays; otherwise (piped, or in a file) every
 * epoch gets a plain line.
 */
final class Progress implements TrainingListener {
    private final PrintWriter out;
    private final boolean redraw;
    private final int every;
    private int lastLength;
    private boolean pending;

    /**
     * @param redraw whether to redraw one line (a terminal)
     * @param every  print every this many epochs (and always the last); in redraw mode every epoch
     */
    Progress(PrintWriter out, boolean redraw, int every) {
        this.out = out;
        this.redraw = redraw;
        this.every = Math.max(1, every);
    }

    @Override
    public void onEpoch(EpochStats s) {
        String line = line(s);
        if (redraw) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            pending = true;
            out.flush();
        } else if (s.epoch() % every == 0 || s.epoch() == s.epochs() || s.epoch() == 1) {
            out.println(line);
            out.flush();
        }
    }

    /** Ends a redrawn line; call once training has stopped, whatever the reason. */
    void finish() {
        if (pending) {
            out.println();
            out.flush();
            pending = false;
        }
    }

    /** The progress line of one epoch. */
    static String line(EpochStats s) {
        int digits = Integer.toString(s.epochs()).length();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "epoch %" + digits + "d/%d", s.epoch(), s.epochs()));
        b.append(String.format(Locale.ROOT, "  loss %.4f", s.trainLoss()));
        if (!Double.isNaN(s.trainAccuracy())) {
            b.append(String.format(Locale.ROOT, "  acc %6.2f%%", 100 * s.trainAccuracy()));
        }
        if (!Double.isNaN(s.validationLoss())) {
            b.append(String.format(Locale.ROOT, "  val_loss %.4f", s.validationLoss()));
        }
        if (!Double.isNaN(s.validationAccuracy())) {
            b.append(String.format(Locale.ROOT, "  val_acc %6.2f%%", 100 * s.validationAccuracy()));
        }
        b.append("  ").append(rate(s.samplesPerSecond())).append(" samples/s");
        double elapsed = s.elapsedNanos() / 1e9;
        double left = elapsed / s.epoch() * (s.epochs() - s.epoch());
        b.append("  elapsed ").append(duration(elapsed)).append("  eta ").append(duration(left));
        return b.toString();
    }

    /** 950, 12.3k, 4.56M. */
    static String rate(double perSecond) {
        if (!Double.isFinite(perSecond)) {
            return "-";
        }
        if (perSecond < 1e3) {
            return String.format(Locale.ROOT, "%.0f", perSecond);
        }
        if (perSecond < 1e6) {
            return String.format(Locale.ROOT, "%.1fk", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.2fM", perSecond / 1e6);
    }

    /** 0.4s, 12.0s, 3m05s, 1h02m. */
    static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1fs", seconds);
        }
        long s = Math.round(seconds);
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
