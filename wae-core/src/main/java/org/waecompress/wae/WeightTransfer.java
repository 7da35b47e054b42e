package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;

/** Builds a network from a target spec, taking each weight from sources where name and shape match. */
final class WeightTransfer {

    private WeightTransfer() {}

    /**
     * A source of weights and how target names map to its names.
     *
     * @param network the source network
     * @param rename maps a target parameter name to the source's name (or null to skip)
     */
    record Source(Network network, UnaryOperator<String> rename) {}

    /**
     * Returns a network with the target's spec; weights come from the first source that has the
     * mapped name with the same shape, else from {@code fallback}.
     *
     * @param spec the target spec
     * @param fallback initial weights for the target spec (same spec)
     * @param sources the sources, in priority order
     * @return the new network
     */
    static Network assemble(NetworkSpec spec, Network fallback, Source... sources) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : fallback.weights().entrySet()) {
            NDArray chosen = e.getValue();
            for (Source s : sources) {
                String n = s.rename().apply(e.getKey());
                NDArray cand = n == null ? null : s.network().weights().get(n);
                if (cand != null && cand.getShape().equals(chosen.getShape())) {
                    chosen = cand;
                    break;
                }
            }
            w.put(e.getKey(), chosen);
        }
        return Network.of(spec, fallback.classes(), w, "weight transfer");
    }
}
