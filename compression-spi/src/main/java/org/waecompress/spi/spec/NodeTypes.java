package org.waecompress.spi.spec;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The registry of node types: the built-in ones plus those every {@link NodeTypeProvider} adds. */
public final class NodeTypes {

    private static volatile Map<String, Class<? extends LayerSpec>> types;

    private NodeTypes() {}

    /**
     * Returns every known node type by tag.
     *
     * @return tag to class, sorted by tag
     * @throws SpecException if two providers claim one tag
     */
    public static Map<String, Class<? extends LayerSpec>> all() {
        Map<String, Class<? extends LayerSpec>> t = types;
        if (t == null) {
            synchronized (NodeTypes.class) {
                t = types;
                if (t == null) {
                    t = load();
                    types = t;
                }
            }
        }
        return t;
    }

    private static Map<String, Class<? extends LayerSpec>> load() {
        Map<String, Class<? extends LayerSpec>> map = new TreeMap<>();
        map.put("conv", ConvSpec.class);
        map.put("convTranspose", ConvTransposeSpec.class);
        map.put("batchNorm", BatchNormSpec.class);
        map.put("activation", ActivationSpec.class);
        map.put("pool", PoolSpec.class);
        map.put("globalAvgPool", GlobalAvgPoolSpec.class);
        map.put("flatten", FlattenSpec.class);
        map.put("dropout", DropoutSpec.class);
        map.put("linear", LinearSpec.class);
        map.put("sequential", SequentialSpec.class);
        map.put("residual", ResidualSpec.class);
        map.put("concat", ConcatSpec.class);
        map.put("gate", GateSpec.class);
        map.put("quantize", QuantizeSpec.class);
        map.put("int8", Int8Spec.class);
        for (NodeTypeProvider p : ServiceLoader.load(NodeTypeProvider.class)) {
            for (var e : p.nodeTypes().entrySet()) {
                Class<? extends LayerSpec> prev = map.putIfAbsent(e.getKey(), e.getValue());
                if (prev != null && !prev.equals(e.getValue())) {
                    throw new SpecException("node type '" + e.getKey() + "' is registered twice: by "
                            + prev.getName() + " and " + e.getValue().getName());
                }
            }
        }
        return Map.copyOf(map);
    }
}
