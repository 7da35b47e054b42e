package org.waecompress.experiments.measure;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;

/** Where latency is measured: ONNX Runtime on an exported file, or DJL's PyTorch engine. */
public enum LatencyEngine {
    /** ONNX Runtime's CPU execution provider, on the file {@code OnnxExport} writes. */
    ONNXRUNTIME("onnxruntime", "ORT"),
    /** DJL's PyTorch engine, eager, on the built blocks. */
    PYTORCH("pytorch", "PyTorch");

    private final String id;
    private final String label;

    LatencyEngine(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /**
     * Returns the engine's id in settings and result files.
     *
     * @return {@code onnxruntime} or {@code pytorch}
     */
    public String id() {
        return id;
    }

    /**
     * Returns the engine's short name in table headings.
     *
     * @return {@code ORT} or {@code PyTorch}
     */
    public String label() {
        return label;
    }

    /**
     * Returns the engine with an id.
     *
     * @param id the id
     * @return the engine
     * @throws IllegalArgumentException for an unknown id
     */
    public static LatencyEngine of(String id) {
        for (LatencyEngine e : values()) {
            if (e.id.equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown latency engine " + id);
    }

    /**
     * Parses the {@code latency.engine} setting.
     *
     * @param setting {@code onnxruntime}, {@code pytorch} or {@code both}
     * @return the engines, in table order
     */
    public static List<LatencyEngine> parse(String setting) {
        return switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "onnxruntime" -> List.of(ONNXRUNTIME);
            case "pytorch" -> List.of(PYTORCH);
            case "both" -> List.of(ONNXRUNTIME, PYTORCH);
            default -> throw new InvalidSettingException("latency.engine", setting,
                    "expected onnxruntime, pytorch or both");
        };
    }

    /**
     * Describes the engine with its version and options.
     *
     * @param threads the intra-op threads it runs with
     * @return one phrase
     */
    public String describe(int threads) {
        if (this == ONNXRUNTIME) {
            return OrtNetwork.describe(threads);
        }
        return String.format(Locale.ROOT, "DJL %s PyTorch engine %s (eager, %d intra-op thread%s)",
                Engine.getDjlVersion(), Engine.getEngine("PyTorch").getVersion(), threads, threads == 1 ? "" : "s");
    }

    /**
     * Opens a saved network for timing on this engine: an {@code .onnx} file for ONNX Runtime, a
     * {@code .spec.json} (with its {@code .params}) for the PyTorch engine.
     *
     * @param file the file
     * @param threads ONNX Runtime's intra-op threads
     * @return the network, ready to time; close it when done
     */
    public Timed open(Path file, int threads) {
        if (this == ONNXRUNTIME) {
            return new OrtTimed(OrtNetwork.open(file, threads), true);
        }
        NDManager m = Devices.newManager();
        try (Network n = Network.load(file)) {
            return new PtTimed(n.build(m), m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }
}
