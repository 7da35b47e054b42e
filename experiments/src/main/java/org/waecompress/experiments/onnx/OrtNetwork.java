package org.waecompress.experiments.onnx;

import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;

/**
 * An ONNX file loaded in ONNX Runtime (its own Java API, CPU execution provider) with the session
 * options every measurement here uses: all graph optimisations, the given intra-op threads, one
 * inter-op thread, sequential execution, and optionally ONNX Runtime's per-node profiler.
 *
 * <p><b>One thread pool for all sessions.</b> By default every ONNX Runtime session owns a pool of
 * intra-op threads that spin for a while after each run. When networks are timed alternately in
 * one process, the pool of the network that just ran keeps a core busy while the next one runs: on
 * a 2-core machine that made WAE-VGG16 73.6 ms instead of 45.6 ms and VGG16 184 ms instead of 159
 * ms (docs/experiments.md). So the process's environment owns one global pool (the first thread
 * count asked for) that every session with that count shares, as a process serving one model has;
 * a session asking for another count gets its own pool with spinning off.
 *
 * <p>The file must have one float input of shape {@code (batch, C, H, W)}, as {@link OnnxExport}
 * writes and {@code torch.onnx.export} usually does.
 */
public final class OrtNetwork implements AutoCloseable {

    private static volatile OrtEnvironment env;
    private static volatile int globalThreads;

    private final Path file;
    private final OrtSession session;
    private final String inputName;
    private final Shape sampleShape;
    private final int threads;

    private OrtNetwork(Path file, OrtSession session, String inputName, Shape sampleShape, int threads) {
        this.file = file;
        this.session = session;
        this.inputName = inputName;
        this.sampleShape = sampleShape;
        this.threads = threads;
    }

    /**
     * Returns the process's ONNX Runtime environment (logging at error level, telemetry off), made
     * on first use with a global pool of {@code threads} intra-op threads and one inter-op thread.
     *
     * @param threads the global pool's size if the environment does not exist yet
     * @return the environment
     */
    public static OrtEnvironment environment(int threads) {
        OrtEnvironment e = env;
        if (e == null) {
            synchronized (OrtNetwork.class) {
                e = env;
                if (e == null) {
                    try (OrtEnvironment.ThreadingOptions t = new OrtEnvironment.ThreadingOptions()) {
                        t.setGlobalIntraOpNumThreads(threads);
                        t.setGlobalInterOpNumThreads(1);
                        e = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "waecompress", t);
                    } catch (OrtException ex) {
                        throw new CompressionException("cannot start ONNX Runtime: " + firstLine(ex.getMessage()), ex);
                    }
                    try {
                        e.setTelemetry(false);
                    } catch (OrtException ex) {
                        // telemetry exists on Windows builds only
                    }
                    globalThreads = threads;
                    env = e;
                }
            }
        }
        return e;
    }

    private static OrtEnvironment environment() {
        return environment(defaultThreads());
    }

    /**
     * Returns the intra-op thread count both engines use unless a run says otherwise: the value of
     * {@code ai.djl.pytorch.num_threads}, or the number of processors.
     *
     * @return the thread count
     */
    public static int defaultThreads() {
        String t = System.getProperty("ai.djl.pytorch.num_threads");
        return t == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(t.trim());
    }

    /**
     * Returns ONNX Runtime's version.
     *
     * @return e.g. {@code 1.22.0}
     */
    public static String version() {
        return environment().getVersion();
    }

    /**
     * Describes the session options, for tables and provenance.
     *
     * @param threads the intra-op threads
     * @return one phrase
     */
    public static String describe(int threads) {
        environment(threads);
        String pool = threads == globalThreads
                ? String.format(Locale.ROOT, "%d intra-op thread%s in one pool shared by all sessions", threads,
                        threads == 1 ? "" : "s")
                : String.format(Locale.ROOT, "%d intra-op thread%s per session, spinning off", threads,
                        threads == 1 ? "" : "s");
        int gpu = cudaDevice();
        return String.format(Locale.ROOT, "ONNX Runtime %s (%s, all graph optimisations, %s, "
                + "1 inter-op thread, sequential execution)", version(),
                gpu < 0 ? "CPU execution provider" : "CUDA execution provider on GPU " + gpu, pool);
    }

    /**
     * Returns the GPU ONNX Runtime runs on: the run's primary device when it is a GPU and this ONNX Runtime
     * build has the CUDA execution provider (the {@code ort-gpu} profile's {@code onnxruntime_gpu}), else -1
     * for the CPU execution provider.
     *
     * @return the GPU's number, or -1
     */
    public static int cudaDevice() {
        if (!Devices.onGpu()) {
            return -1;
        }
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA) ? Devices.primary().getDeviceId()
                : -1;
    }

    /**
     * Opens a file.
     *
     * @param file the {@code .onnx} file
     * @param threads intra-op threads, at least 1
     * @return the network; close it when done
     * @throws CompressionException naming the file if it is missing or ONNX Runtime rejects it
     */
    public static OrtNetwork open(Path file, int threads) {
        return open(file, threads, null);
    }

    /**
     * Opens a file with ONNX Runtime's profiler on.
     *
     * @param file the {@code .onnx} file
     * @param threads intra-op threads, at least 1
     * @param profilePrefix where the profiler writes its JSON trace (ONNX Runtime appends a time stamp
     *     and {@code .json}), or null for no profiling
     * @return the network; close it when done
     */
    public static OrtNetwork open(Path file, int threads, Path profilePrefix) {
        if (!Files.isReadable(file)) {
            throw new CompressionException(file + ": file not found or not readable");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        OrtEnvironment environment = environment(threads);
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            if (threads == globalThreads) {
                o.disablePerSessionThreads();
            } else {
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (profilePrefix != null) {
                o.enableProfiling(profilePrefix.toString());
            }
            int gpu = cudaDevice();
            if (gpu >= 0) {
                o.addCUDA(gpu);
            }
            OrtSession s = environment.createSession(file.toString(), o);
            try {
                Map<String, NodeInfo> inputs = s.getInputInfo();
                if (inputs.size() != 1 || !(inputs.values().iterator().next().getInfo() instanceof TensorInfo t)
                        || t.getShape().length < 2) {
                    throw new CompressionException(file + ": expected one float input of shape (batch, C, H, W) or "
                            + "(batch, features), found " + inputs.values());
                }
                long[] sh = t.getShape();
                long[] sample = Arrays.copyOfRange(sh, 1, sh.length);
                if (Arrays.stream(sample).anyMatch(d -> d < 1)) {
                    throw new CompressionException(file + ": the input's dimensions after the batch must be fixed, "
                            + "found " + Arrays.toString(sh));
                }
                return new OrtNetwork(file, s, inputs.keySet().iterator().next(), new Shape(sample),
                        threads);
            } catch (OrtException | RuntimeException e) {
                s.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new CompressionException(file + ": ONNX Runtime cannot load it: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Returns the file.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the shape of one input sample.
     *
     * @return {@code (C, H, W)}, or {@code (features)} for a network that takes vectors
     */
    public Shape sampleShape() {
        return sampleShape;
    }

    /**
     * Returns the intra-op thread count.
     *
     * @return the threads
     */
    public int threads() {
        return threads;
    }

    /**
     * Makes an input tensor; close it after use.
     *
     * @param values the batch, row-major
     * @param batch the batch size
     * @return the tensor
     */
    public OnnxTensor input(float[] values, int batch) {
        long[] shape = shape(batch);
        try {
            return OnnxTensor.createTensor(environment(), FloatBuffer.wrap(values), shape);
        } catch (OrtException e) {
            throw new CompressionException(file + ": cannot make an input of shape " + Arrays.toString(shape) + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Makes an input tensor over a direct buffer the caller keeps (no copy); close the tensor after
     * use, the buffer stays the caller's.
     *
     * @param values the batch, row-major, in a direct buffer in native order, positioned at its start
     * @param batch the batch size
     * @return the tensor
     */
    public OnnxTensor input(FloatBuffer values, int batch) {
        long[] shape = shape(batch);
        try {
            return OnnxTensor.createTensor(environment(), values, shape);
        } catch (OrtException e) {
            throw new CompressionException(file + ": cannot make an input of shape " + Arrays.toString(shape) + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    private long[] shape(int batch) {
        long[] shape = new long[sampleShape.dimension() + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape.getShape(), 0, shape, 1, sampleShape.dimension());
        return shape;
    }

    /**
     * Runs the network on a prepared input and reads every output back.
     *
     * @param input the input tensor
     * @return the outputs in graph order, each flattened row-major
     */
    public List<float[]> run(OnnxTensor input) {
        try (OrtSession.Result r = session.run(Map.of(inputName, input))) {
            List<float[]> out = new ArrayList<>();
            for (Map.Entry<String, OnnxValue> e : r) {
                FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                out.add(a);
            }
            return out;
        } catch (OrtException e) {
            throw new CompressionException(file + ": ONNX Runtime failed to run it: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Runs the network on a batch.
     *
     * @param values the batch, row-major
     * @param batch the batch size
     * @return the outputs in graph order, each flattened row-major
     */
    public List<float[]> run(float[] values, int batch) {
        try (OnnxTensor in = input(values, batch)) {
            return run(in);
        }
    }

    /**
     * Returns the spec a file exported by {@link OnnxExport} carries in its metadata.
     *
     * @return the spec, or null for a file from elsewhere
     */
    public org.waecompress.spi.spec.NetworkSpec spec() {
        try {
            String json = session.getMetadata().getCustomMetadata().get(OnnxExport.SPEC_KEY);
            return json == null ? null : org.waecompress.spi.spec.SpecJson.fromJson(json, file + " (metadata)");
        } catch (OrtException e) {
            throw new CompressionException(file + ": cannot read its metadata: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Stops the profiler and returns the trace file it wrote.
     *
     * @return the JSON trace
     */
    public Path endProfiling() {
        try {
            return Path.of(session.endProfiling());
        } catch (OrtException e) {
            throw new CompressionException(file + ": cannot end profiling: " + firstLine(e.getMessage()), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new CompressionException(file + ": cannot close the session: " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String m) {
        return m == null ? "no message" : m.lines().findFirst().orElse(m);
    }
}
