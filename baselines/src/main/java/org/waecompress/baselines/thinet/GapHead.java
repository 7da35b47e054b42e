package org.waecompress.baselines.thinet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * ThiNet-GAP's head: everything after the last feature map (flatten and fully connected layers) is
 * replaced by global average pooling and one linear layer, which removes most of VGG16's parameters.
 */
final class GapHead {

    private GapHead() {}

    static NetworkSpec replace(NetworkSpec spec) {
        if (!(spec.root() instanceof SequentialSpec seq)) {
            throw new InvalidSettingException("backbone", spec.name(), "has no sequential root to give a GAP head");
        }
        SequentialSpec probe = seq;
        List<LayerSpec> kept = new ArrayList<>();
        ai.djl.ndarray.types.Shape s = spec.inputShape();
        for (int i = 0; i < probe.layers().size(); i++) {
            LayerSpec c = probe.layers().get(i);
            ai.djl.ndarray.types.Shape out = SpecTraversal.walk(c, SpecTraversal.childPath("", c, i), s,
                    (p, n, a, b) -> { });
            if (out.dimension() != 3) {
                break;
            }
            kept.add(c);
            s = out;
        }
        if (kept.isEmpty() || kept.size() == probe.layers().size()) {
            throw new InvalidSettingException("backbone", spec.name(),
                    "has no feature/classifier split for a GAP head");
        }
        int classes = (int) spec.outputShape().get(0);
        kept.add(new GlobalAvgPoolSpec("gap"));
        kept.add(new LinearSpec("gapfc", (int) s.get(0), classes, true));
        return new NetworkSpec(spec.name(), spec.inputShape(), new SequentialSpec(seq.name(), kept));
    }

    static Network replace(Network net, long seed) {
        NetworkSpec spec = replace(net.spec());
        try (Network fresh = Network.random(spec, net.classes(), seed)) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (String name : spec.parameters().keySet()) {
                NDArray old = net.weights().get(name);
                w.put(name, old != null && !name.startsWith("gapfc.") ? old : fresh.weight(name));
            }
            return Network.of(spec, net.classes(), w, "GAP head");
        }
    }
}
