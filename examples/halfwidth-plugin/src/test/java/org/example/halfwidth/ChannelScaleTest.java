package org.example.halfwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.onnx.OnnxTesting;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecJson;

/** The plugin's node type: inserted without renaming a weight, saved and read back, exported to ONNX. */
class ChannelScaleTest {

    @TempDir
    Path dir;

    @Test
    void insertingTheScaleRenamesNoWeight() {
        NetworkSpec plain = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.25);
        NetworkSpec scaled = HalfWidthStrategy.scaleAfterFirstConv(plain);
        Set<String> expected = new LinkedHashSet<>(plain.parameters().keySet());
        expected.add("features.0.scale.weight");
        assertEquals(expected, scaled.parameters().keySet());
        assertEquals(new Shape(16), scaled.parameters().get("features.0.scale.weight").shape(), "the first convolution's 16 channels");
    }

    @Test
    void itSavesReloadsAndRunsInOnnxRuntimeAsInPyTorch() {
        NetworkSpec scaled = HalfWidthStrategy.scaleAfterFirstConv(
                Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.25));
        assertEquals(scaled, SpecJson.fromJson(SpecJson.toJson(scaled), "test"));
        try (Network net = OnnxTesting.randomized(scaled, 4, 7)) {
            OnnxTesting.assertEquivalent(net, dir, 2);
        }
    }
}
