package org.waecompress.spi.nn;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;

class ConcatConvolutionsTest {

    static NetworkSpec single(String name, int out) {
        return new NetworkSpec(name, new Shape(3, 9, 9), SequentialSpec.of("",
                new ConcatSpec("split", List.of(ConvSpec.of(name, 3, out, 3, 2, 1, true)))));
    }

    @Test
    void stackedConvolutionEqualsTheBranchesConcatenated() {
        NetworkSpec both = new NetworkSpec("both", new Shape(3, 9, 9), SequentialSpec.of("",
                new ConcatSpec("split", List.of(ConvSpec.of("a", 3, 2, 3, 2, 1, true),
                        ConvSpec.of("b", 3, 4, 3, 2, 1, true)))));
        try (Network net = Network.random(both, 6, 5); NDManager m = NDManager.newBaseManager();
                BuiltNetwork built = net.build(m)) {
            MergeBlock split = assertInstanceOf(MergeBlock.class, built.block().getChildren().values().get(0));
            assertTrue(split.stacksConvolutions());
            NDArray x = m.randomNormal(new Shape(2, 3, 9, 9));
            NDArray y = built.predict(x);
            NDList parts = new NDList();
            for (String[] branch : new String[][] {{"a", "2"}, {"b", "4"}}) {
                NetworkSpec one = single(branch[0], Integer.parseInt(branch[1]));
                Map<String, NDArray> w = Map.of("split." + branch[0] + ".weight",
                        net.weight("split." + branch[0] + ".weight"), "split." + branch[0] + ".bias",
                        net.weight("split." + branch[0] + ".bias"));
                try (Network n = Network.of(one, 1, w, "branch"); BuiltNetwork b = n.build(m)) {
                    parts.add(b.predict(x));
                }
            }
            NDArray expected = parts.get(0).concat(parts.get(1), 1);
            float d = y.sub(expected).abs().max().getFloat();
            assertTrue(d < 1e-5, "max |diff| " + d);

            // Both branches' own parameters receive gradients.
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = built.forward(new NDList(x), true).head();
                gc.backward(out.mul(out).sum());
            }
            for (Map.Entry<String, Parameter> e : built.parameters().entrySet()) {
                float g = e.getValue().getArray().getGradient().abs().sum().getFloat();
                assertNotEquals(0f, g, e.getKey());
            }
        }
    }
}
