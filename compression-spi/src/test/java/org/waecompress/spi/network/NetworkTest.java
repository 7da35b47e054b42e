package org.waecompress.spi.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.TestSpecs;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecJson;

class NetworkTest {

    @TempDir
    Path dir;

    static float[] run(Network net, NDArray x) {
        try (NDManager m = NDManager.newBaseManager(); BuiltNetwork b = net.build(m)) {
            return b.predict(x).toFloatArray();
        }
    }

    @Test
    void builtBlockShapesEqualSpecShapes() {
        NetworkSpec spec = TestSpecs.allTypes();
        try (Network net = Network.random(spec, 5, 1); NDManager m = NDManager.newBaseManager();
                BuiltNetwork b = net.build(m)) {
            NDArray x = m.randomNormal(new Shape(3).addAll(spec.inputShape()));
            for (boolean training : new boolean[] {false, true}) {
                NDArray y = b.forward(new NDList(x), training).head();
                assertEquals(new Shape(3).addAll(spec.outputShape()), y.getShape());
            }
            assertEquals(new Shape(3).addAll(spec.outputShape()),
                    b.block().getOutputShapes(new Shape[] {x.getShape()})[0]);
        }
    }

    @Test
    void saveLoadGivesIdenticalOutputs() {
        NetworkSpec spec = TestSpecs.allTypes();
        try (Network net = Network.random(spec, 5, 3); NDManager m = NDManager.newBaseManager()) {
            Path file = net.save(dir, "net");
            assertTrue(Files.exists(dir.resolve("net.params")));
            try (Network back = Network.load(file)) {
                assertEquals(spec, back.spec());
                assertEquals(5, back.classes());
                NDArray x = m.randomNormal(new Shape(2).addAll(spec.inputShape()));
                float[] a = run(net, x);
                float[] b = run(back, x);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 0.0f, "output " + i);
                }
            }
        }
    }

    @Test
    void loadWithWrongShapeNamesTheParameter() throws Exception {
        NetworkSpec spec = TestSpecs.smallCnn(1, 8, 4);
        try (Network net = Network.random(spec, 4, 1)) {
            Path file = net.save(dir, "cnn");
            NetworkSpec other = TestSpecs.smallCnn(1, 8, 6);
            Files.writeString(file, SpecJson.toJson(other));
            SpecException e = assertThrows(SpecException.class, () -> Network.load(file));
            assertTrue(e.getMessage().contains("fc.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("(4, 32)") && e.getMessage().contains("(6, 32)"), e.getMessage());
        }
    }

    @Test
    void weightsWithWrongShapeAreRejected() {
        NetworkSpec spec = TestSpecs.smallCnn(1, 8, 4);
        try (Network net = Network.random(spec, 4, 1); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(net.weights());
            w.put("c2.weight", m.zeros(new Shape(32, 15, 3, 3)));
            SpecException e = assertThrows(SpecException.class, () -> Network.of(spec, 4, w, "import"));
            assertTrue(e.getMessage().contains("c2.weight has shape (32, 15, 3, 3)"), e.getMessage());
            w.remove("c2.weight");
            e = assertThrows(SpecException.class, () -> Network.of(spec, 4, w, "import"));
            assertTrue(e.getMessage().contains("c2.weight is missing"), e.getMessage());
        }
    }

    @Test
    void parameterNamesFollowPaths() {
        Map<String, ?> p = TestSpecs.allTypes().parameters();
        assertTrue(p.containsKey("stem.weight"));
        assertTrue(p.containsKey("bn.running_var"));
        assertTrue(p.containsKey("res.conv.weight"));
        assertTrue(p.containsKey("res.bn.running_mean"));
        assertTrue(!p.containsKey("res.bn.weight"), "non-affine batch-norm has no weight");
        assertTrue(p.containsKey("down.proj.0.weight"));
        assertTrue(p.containsKey("cat.b.1.bias"));
        assertTrue(p.containsKey("up.weight"));
        assertEquals(new Shape(8, 4, 4, 4), TestSpecs.allTypes().parameters().get("up.weight").shape());
    }

    @Test
    void nonAffineBatchNormIsPureNormalisation() {
        NetworkSpec spec = new NetworkSpec("bn", new Shape(2, 3, 3),
                new BatchNormSpec("n", 2, false, 1e-5, 0.1));
        try (Network net = Network.random(spec, 2, 1); NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(18f).reshape(1, 2, 3, 3);
            float[] y = run(net, x);
            // running mean 0, var 1: output equals input up to eps
            assertEquals(17f / Math.sqrt(1 + 1e-5), y[17], 1e-4);
        }
    }
}
