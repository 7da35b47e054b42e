package org.waecompress.experiments.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;

/** Helpers for export-equivalence tests (shared with the tests module through the test jar). */
public final class OnnxTesting {

    private OnnxTesting() {}

    /**
     * Gives every parameter random values that make each one matter: non-zero biases and batch-norm
     * shifts, scales and running statistics away from 1 and 0, so a lowering that drops or swaps one
     * changes the output.
     *
     * @param spec the spec
     * @param classes the class count
     * @param seed the seed
     * @return the network
     */
    public static Network randomized(NetworkSpec spec, int classes, long seed) {
        Random r = new Random(seed);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, ParamDef> e : spec.parameters().entrySet()) {
                ParamDef d = e.getValue();
                float[] v = new float[Math.toIntExact(d.size())];
                long fanIn = d.shape().dimension() > 1 ? d.size() / d.shape().get(0) : 1;
                for (int i = 0; i < v.length; i++) {
                    double g = r.nextGaussian();
                    v[i] = (float) switch (d.kind()) {
                        case WEIGHT -> g * Math.sqrt(2.0 / Math.max(1, fanIn));
                        case BIAS, BN_BETA, RUNNING_MEAN -> 0.2 * g;
                        case BN_GAMMA -> 0.6 + 0.8 * r.nextDouble();
                        case RUNNING_VAR -> 0.5 + r.nextDouble();
                    };
                }
                w.put(e.getKey(), m.create(v, d.shape()));
            }
            return Network.of(spec, classes, w, "random test weights");
        }
    }

    /**
     * Exports a network, runs it on both engines and asserts that they agree.
     *
     * @param net the network
     * @param dir a folder for the file
     * @param batch the batch size
     * @return the comparison
     */
    public static OnnxCheck.Result assertEquivalent(Network net, Path dir, int batch) {
        Path f = dir.resolve(net.spec().name().replaceAll("[^A-Za-z0-9_.-]", "_") + ".onnx");
        OnnxExport.write(net, f);
        OnnxCheck.Result r = OnnxCheck.compare(net, f, batch, 7, 1);
        assertTrue(r.passes(), net.spec().name() + ": " + r.describe());
        return r;
    }
}
