package org.waecompress.experiments.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.measure.ForkedLatency;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.measure.OrtTimed;
import org.waecompress.experiments.measure.PtTimed;
import org.waecompress.experiments.measure.Timed;
import org.waecompress.experiments.onnx.OnnxCheck;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtAccuracy;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.OnnxFileInfo;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.OnnxUnsupportedException;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.ProgressListener;

/**
 * Exports and times a row on every engine of {@code latency.engine}: the backbone alone, or a
 * compressed network alternately with the backbone.
 *
 * <p>Each network is exported to ONNX ({@code networks/ROW.onnx} with {@code output.onnx}, else a
 * scratch file) and checked against the PyTorch engine before ONNX Runtime times it. A network that
 * cannot be exported (a node type without a lowering) or whose file does not reproduce the PyTorch
 * engine's output is timed on the PyTorch engine instead, and its timing says why. With {@code
 * latency.forks} = 0 the timing runs in this process; otherwise the networks are saved to a scratch
 * folder in the run folder and timed in that many fresh JVMs ({@link ForkedLatency}). Closing
 * removes the scratch folder and the backbone's ONNX Runtime session.
 */
final class RowTiming implements AutoCloseable {

    /**
     * A row's timings and export.
     *
     * @param timings one per engine of {@code latency.engine}, in order
     * @param onnx the exported file, or null when the network could not be exported
     * @param onnxAccuracy the exported file's errors on the test images on ONNX Runtime, or null when {@code
     *     accuracy.engine} does not ask for them or the network could not be exported
     * @param besidePyTorch whether the PyTorch engine's errors are kept beside ONNX Runtime's ({@code
     *     accuracy.engine = both})
     */
    record Measured(List<EngineTiming> timings, OnnxFileInfo onnx, Accuracy onnxAccuracy, boolean besidePyTorch) {}

    /**
     * An exported network: its file, its check and, when ONNX Runtime times it in this process, the
     * session the check ran in; or why there is none.
     */
    private record Exported(Path file, OnnxFileInfo info, String failure, OrtNetwork session, Accuracy accuracy) {}

    /** The test images each exported file is evaluated on with ONNX Runtime, or null. */
    private ImageDataset accuracyData;
    private final ExperimentSettings s;
    private final LatencySettings l;
    private final Path runDir;
    private final ProgressListener log;
    private Path scratch;
    private Path baseSpec;
    private Exported baseOnnx;

    RowTiming(ExperimentSettings s, Path runDir, ProgressListener log) {
        this.s = s;
        this.l = s.latency();
        this.runDir = runDir;
        this.log = log;
    }

    /**
     * Evaluates every exported file on these test images with ONNX Runtime ({@code accuracy.engine}
     * onnxruntime or both); each {@link Measured} then carries the errors.
     *
     * @param test the test images
     * @return this
     */
    RowTiming evaluating(ImageDataset test) {
        this.accuracyData = test;
        return this;
    }

    /**
     * Exports and times the backbone alone.
     *
     * @param base the backbone
     * @param baseBuilt its built form
     * @return the timings, each with speed-up 1
     */
    Measured backbone(Network base, BuiltNetwork baseBuilt) {
        Exported e = baseOnnx(base);
        return new Measured(time(e, e, base, baseBuilt, null, null), e.info(), e.accuracy(), s.accuracyOnPyTorch());
    }

    /**
     * Exports a row's network and times it alternately with the backbone.
     *
     * @param row the row id (the file name)
     * @param base the backbone
     * @param baseBuilt its built form
     * @param net the row's network
     * @param built its built form
     * @return the timings
     */
    Measured pair(String row, Network base, BuiltNetwork baseBuilt, Network net, BuiltNetwork built) {
        Exported b = baseOnnx(base);
        Exported e = export(row, net);
        try {
            return new Measured(time(b, e, base, baseBuilt, net, built), e.info(), e.accuracy(), s.accuracyOnPyTorch());
        } finally {
            if (e.session() != null) {
                e.session().close();
            }
            if (e.file() != null && !s.onnx()) {
                deleteQuietly(e.file());
            }
        }
    }

    /** Times on every engine; an engine a network cannot run on borrows the PyTorch engine's timing. */
    private List<EngineTiming> time(Exported baseExport, Exported rowExport, Network base, BuiltNetwork baseBuilt,
            Network net, BuiltNetwork built) {
        String failure = baseExport.failure() != null ? "the backbone: " + baseExport.failure() : rowExport.failure();
        Map<LatencyEngine, EngineTiming> measured = new EnumMap<>(LatencyEngine.class);
        for (LatencyEngine engine : l.engines()) {
            if (engine == LatencyEngine.ONNXRUNTIME && failure == null) {
                measured.put(engine, ort(baseExport, rowExport));
            } else if (engine == LatencyEngine.PYTORCH) {
                measured.put(engine, pytorch(base, baseBuilt, net, built));
            }
        }
        List<EngineTiming> out = new ArrayList<>();
        for (LatencyEngine engine : l.engines()) {
            EngineTiming t = measured.get(engine);
            if (t == null) {
                EngineTiming pt = measured.computeIfAbsent(LatencyEngine.PYTORCH,
                        k -> pytorch(base, baseBuilt, net, built));
                t = pt.standingFor(engine.id(), failure);
                log.message((net == null ? "backbone" : net.spec().name()) + ": timed on the PyTorch engine instead of "
                        + "ONNX Runtime: " + failure);
            }
            out.add(t);
        }
        return out;
    }

    private EngineTiming ort(Exported base, Exported row) {
        boolean single = row == base;
        if (l.forks() > 0) {
            return timing(LatencyEngine.ONNXRUNTIME, ForkedLatency.measure(LatencyEngine.ONNXRUNTIME,
                    single ? List.of(base.file()) : List.of(base.file(), row.file()), l, work(), log), single);
        }
        // the sessions the checks opened; pair() and close() close them
        Timed b = new OrtTimed(base.session(), false);
        return inProcess(LatencyEngine.ONNXRUNTIME,
                single ? List.of(b) : List.of(b, new OrtTimed(row.session(), false)));
    }

    private EngineTiming pytorch(Network base, BuiltNetwork baseBuilt, Network net, BuiltNetwork built) {
        if (l.forks() > 0) {
            List<Path> specs = net == null ? List.of(baseSpec(base))
                    : List.of(baseSpec(base), net.save(scratch(), "row"));
            return timing(LatencyEngine.PYTORCH, ForkedLatency.measure(LatencyEngine.PYTORCH, specs, l, work(), log),
                    net == null);
        }
        List<Timed> nets = net == null ? List.of(new PtTimed(baseBuilt)) : List.of(new PtTimed(baseBuilt),
                new PtTimed(built));
        return inProcess(LatencyEngine.PYTORCH, nets);
    }

    private EngineTiming inProcess(LatencyEngine engine, List<? extends Timed> nets) {
        List<Latency.Stats> lat = Latency.alternate(nets, l.batch(), l.warmup(), l.runs(), l.gapMs(), log);
        List<Latency.Stats> thr = Latency.alternate(nets, l.throughputBatch(), 1, l.throughputRuns(), l.gapMs(), log);
        return timing(engine, lat, thr);
    }

    /**
     * A row's timing from one process's alternated medians: the backbone first, the row's network last.
     *
     * @param engine the engine
     * @param lat latency per network
     * @param thr throughput per network
     * @return the timing, its speed-up the backbone's median over the network's
     */
    static EngineTiming timing(LatencyEngine engine, List<Latency.Stats> lat, List<Latency.Stats> thr) {
        Latency.Stats b = lat.get(0);
        Latency.Stats n = lat.get(lat.size() - 1);
        return new EngineTiming(engine.id(), n.medianMs(), n.p90Ms(), b.medianMs(), n.speedupOver(b),
                thr.get(thr.size() - 1).imagesPerSecond(), null, null);
    }

    private static EngineTiming timing(LatencyEngine engine, ForkedLatency.Result r, boolean single) {
        int i = single ? 0 : 1;
        Latency.Stats n = r.latency().get(i);
        return new EngineTiming(engine.id(), n.medianMs(), n.p90Ms(), r.latency().get(0).medianMs(),
                single ? 1.0 : r.medianSpeedup(), r.throughput().get(i).imagesPerSecond(), single ? null : r.speedups(),
                null);
    }

    private Exported baseOnnx(Network base) {
        if (baseOnnx == null) {
            baseOnnx = export("backbone", base);
        }
        return baseOnnx;
    }

    /**
     * Exports a network when a file is wanted ({@code output.onnx}) or ONNX Runtime times it, and
     * checks the file against the PyTorch engine in an ONNX Runtime session, which is kept open when
     * ONNX Runtime times the network in this process.
     */
    private Exported export(String row, Network net) {
        boolean ort = l.engines().contains(LatencyEngine.ONNXRUNTIME);
        if (!s.onnx() && !ort && accuracyData == null) {
            return new Exported(null, null, "not exported", null, null);
        }
        Path file = (s.onnx() ? new RunFolder(runDir).networks() : scratch()).resolve(row + ".onnx");
        try {
            Files.createDirectories(file.getParent());
            long bytes = OnnxExport.write(net, file);
            OrtNetwork session = OrtNetwork.open(file, l.threads());
            OnnxCheck.Result c;
            Accuracy accuracy = null;
            try {
                c = OnnxCheck.compare(net, session, 1, s.seed());
                if (c.passes() && accuracyData != null) {
                    accuracy = OrtAccuracy.evaluate(session, accuracyData, 250, "test " + row + " (ONNX Runtime)", log);
                }
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            if (!c.passes() || !ort || l.forks() > 0) {
                session.close();
                session = null;
            }
            if (!c.passes()) {
                deleteQuietly(file);
                return new Exported(null, null, "its ONNX file does not reproduce the PyTorch engine's output ("
                        + c.describe() + ")", null, null);
            }
            String rel = s.onnx() ? runDir.relativize(file).toString() : null;
            log.message(String.format(Locale.ROOT, "%s: exported %s (%.1f MB), %s", row,
                    rel == null ? "to a scratch file" : rel, bytes / 1e6, c.describe()));
            return new Exported(file, new OnnxFileInfo(rel, bytes, c.worstRelative()), null, session, accuracy);
        } catch (OnnxUnsupportedException e) {
            return new Exported(null, null, e.getMessage(), null, null);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private Path baseSpec(Network base) {
        if (baseSpec == null) {
            baseSpec = base.save(scratch(), "backbone");
        }
        return baseSpec;
    }

    private Path work() {
        return scratch().resolve("forks");
    }

    private Path scratch() {
        if (scratch == null) {
            try {
                scratch = Files.createTempDirectory(runDir, ".latency-");
            } catch (IOException e) {
                throw new CompressionException("cannot create a scratch folder in " + runDir + " for latency "
                        + "measurement: " + e.getMessage(), e);
            }
        }
        return scratch;
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // a scratch file; the folder goes at close
        }
    }

    @Override
    public void close() {
        if (baseOnnx != null && baseOnnx.session() != null) {
            baseOnnx.session().close();
        }
        if (scratch == null) {
            return;
        }
        try {
            org.waecompress.spi.io.AtomicFiles.deleteTree(scratch);
        } catch (IOException e) {
            log.message("warning: could not remove the latency scratch folder " + scratch + ": " + e.getMessage());
        }
    }
}
