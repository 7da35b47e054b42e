package org.waecompress.spi.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.TestSpecs;

class SpecJsonTest {

    @Test
    void everyNodeTypeRoundTrips() {
        NetworkSpec spec = TestSpecs.allTypes();
        String json = SpecJson.toJson(spec);
        String both = json + SpecJson.toJson(TestSpecs.smallCnn(1, 12, 3)) + SpecJson.toJson(TestSpecs.quantized());
        assertEquals(TestSpecs.quantized(), SpecJson.fromJson(SpecJson.toJson(TestSpecs.quantized()), "mem"));
        for (String tag : NodeTypes.all().keySet()) {
            if (!tag.startsWith("test")) {
                assertTrue(both.contains("\"type\": \"" + tag + "\""), "JSON lacks node type " + tag);
            }
        }
        NetworkSpec back = SpecJson.fromJson(json, "mem");
        assertEquals(spec, back);
        assertEquals(json, SpecJson.toJson(back));
        assertEquals(new Shape(5), back.outputShape());
    }

    @Test
    void gapSpecRoundTrips() {
        NetworkSpec spec = TestSpecs.smallCnn(1, 12, 3);
        assertEquals(spec, SpecJson.fromJson(SpecJson.toJson(spec), "mem"));
    }

    @Test
    void pluginNodeTypeRoundTrips() {
        NetworkSpec spec = new NetworkSpec("plugin", new Shape(2, 4, 4),
                SequentialSpec.of("", new TestScaleNode("scale", 3.0), new FlattenSpec(null)));
        NetworkSpec back = SpecJson.fromJson(SpecJson.toJson(spec), "mem");
        assertEquals(spec, back);
        assertTrue(SpecJson.toJson(spec).contains("\"type\": \"testScale\""));
    }

    @Test
    void unknownTypeIsNamed() {
        String json = "{\"inputShape\": [1, 4, 4], \"root\": {\"type\": \"warp\"}}";
        SpecException e = assertThrows(SpecException.class, () -> SpecJson.fromJson(json, "net.json"));
        assertTrue(e.getMessage().startsWith("net.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("unknown node type 'warp'"), e.getMessage());
        assertTrue(e.getMessage().contains("conv"), e.getMessage());
    }

    @Test
    void inconsistentSpecNamesPathAndShapes() {
        String json = SpecJson.toJson(TestSpecs.smallCnn(1, 12, 3)).replace("\"in\": 16", "\"in\": 17");
        SpecException e = assertThrows(SpecException.class, () -> SpecJson.fromJson(json, "bad.json"));
        assertTrue(e.getMessage().contains("c2"), e.getMessage());
        assertTrue(e.getMessage().contains("(17, H, W)") && e.getMessage().contains("(16, 6, 6)"), e.getMessage());
    }

    @Test
    void notJsonIsRejectedWithSource() {
        SpecException e = assertThrows(SpecException.class, () -> SpecJson.fromJson("{oops", "x.json"));
        assertTrue(e.getMessage().startsWith("x.json: "), e.getMessage());
    }
}
