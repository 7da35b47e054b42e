package org.waecompress.experiments.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.waecompress.spi.network.BuiltNetwork;

/**
 * A built network timed on DJL's PyTorch engine (eager: one native call per operation), with its
 * parameters frozen so no autograd graph is recorded. Each run's input and output live in a
 * sub-manager that {@link #release} closes, so a long measurement does not grow native memory.
 */
public final class PtTimed implements Timed {

    private final BuiltNetwork net;
    private final NDManager owned;
    private NDManager step;
    private NDArray input;
    private float[] values;

    /**
     * Wraps a built network that the caller closes.
     *
     * @param net the network (frozen here)
     */
    public PtTimed(BuiltNetwork net) {
        this(net, null);
    }

    /**
     * Wraps a built network that this object owns.
     *
     * @param net the network (frozen here)
     * @param owned the manager it was built under, closed with it by {@link #close}; null when the
     *     caller closes the network
     */
    public PtTimed(BuiltNetwork net, NDManager owned) {
        this.net = net;
        this.owned = owned;
        net.block().freezeParameters(true);
    }

    @Override
    public void prepare(int batch, Random random) {
        Shape s = net.batchInputShape(batch);
        if (values == null || values.length != s.size()) {
            values = new float[Math.toIntExact(s.size())];  // one array per batch size, not one per run
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        step = net.manager().newSubManager();
        input = step.create(values, s);
    }

    @Override
    public void run() {
        net.predict(input).toFloatArray();
    }

    /**
     * On a GPU, waits for the device: a one-element result computed on it and copied back cannot arrive
     * before the work queued ahead of it on the stream. On the CPU there is nothing to wait for.
     */
    @Override
    public void sync() {
        if (net.manager().getDevice().isGpu()) {
            try (NDManager m = net.manager().newSubManager()) {
                m.zeros(new Shape(1)).add(1).toFloatArray();
            }
        }
    }

    @Override
    public void release() {
        if (step != null) {
            step.close();
            step = null;
            input = null;
        }
    }

    @Override
    public void close() {
        release();
        if (owned != null) {
            net.close();
            owned.close();
        }
    }
}
