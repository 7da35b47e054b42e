package org.waecompress.experiments.measure;

import ai.onnxruntime.OnnxTensor;
import java.util.Random;
import org.waecompress.experiments.onnx.OrtNetwork;

/** An ONNX file timed in ONNX Runtime; the input tensor is made and freed outside the timed run. */
public final class OrtTimed implements Timed {

    private final OrtNetwork net;
    private OnnxTensor input;

    /**
     * Wraps an open file; {@link #close} closes it.
     *
     * @param net the session
     */
    public OrtTimed(OrtNetwork net) {
        this.net = net;
    }

    @Override
    public void prepare(int batch, Random random) {
        float[] x = new float[Math.toIntExact(net.sampleShape().size() * batch)];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        input = net.input(x, batch);
    }

    @Override
    public void run() {
        net.run(input);
    }

    @Override
    public void release() {
        if (input != null) {
            input.close();
            input = null;
        }
    }

    @Override
    public void close() {
        release();
        net.close();
    }
}
