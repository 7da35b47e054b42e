package org.waecompress.wae;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * A backbone cut into its feature extractor and its classifier: the root must be a sequential node,
 * and the classifier starts at the first child whose output is no longer a {@code (C, H, W)} map
 * (a flatten or a global pooling), or, when no layer from there on has weights (SqueezeNet's classifier
 * pools the class maps of its last convolution), at the last child with weights before it. That rule covers
 * VGG ({@code features} | {@code flatten,
 * classifier}) and ResNet ({@code conv1 ... layer4} | {@code avgpool, fc}) alike, which is what makes
 * WAE "tolerant to any existing CNN".
 *
 * @param features the feature-extractor nodes, in order
 * @param classifier the classifier nodes, in order
 * @param featureShape the features' output shape at the spec's input shape
 */
public record BackboneSplit(List<LayerSpec> features, List<LayerSpec> classifier, Shape featureShape) {

    /**
     * Splits a backbone spec.
     *
     * @param backbone the backbone
     * @param key the setting that named the backbone, for the error
     * @return the split
     * @throws InvalidSettingException if the spec has no feature/classifier split
     */
    public static BackboneSplit of(NetworkSpec backbone, String key) {
        if (!(backbone.root() instanceof SequentialSpec seq)) {
            throw new InvalidSettingException(key, backbone.name(), "has no feature/classifier split: its root is a "
                    + backbone.root().type() + ", expected a sequential whose children go from (C, H, W) maps to a "
                    + "vector (flatten or global pooling)");
        }
        Shape s = backbone.inputShape();
        List<LayerSpec> children = seq.layers();
        for (int i = 0; i < children.size(); i++) {
            LayerSpec c = children.get(i);
            Shape out = SpecTraversal.walk(c, SpecTraversal.childPath("", c, i), s, (p, n, a, b) -> { });
            if (out.dimension() != 3) {
                if (i == 0) {
                    break;
                }
                int at = i;
                if (children.subList(i, children.size()).stream().noneMatch(BackboneSplit::weighted)) {
                    // a classifier without weights (SqueezeNet's global pooling of class maps): its last
                    // weighted layer, the one that makes the class maps, belongs to it
                    for (int j = i - 1; j >= 1 && at == i; j--) {
                        if (weighted(children.get(j))) {
                            at = j;
                        }
                    }
                    if (at == i) {
                        break;
                    }
                    s = backbone.inputShape();
                    for (int j = 0; j < at; j++) {
                        s = SpecTraversal.walk(children.get(j), SpecTraversal.childPath("", children.get(j), j), s,
                                (p, n, a, b) -> { });
                    }
                }
                return new BackboneSplit(List.copyOf(children.subList(0, at)),
                        List.copyOf(children.subList(at, children.size())), s);
            }
            s = out;
        }
        throw new InvalidSettingException(key, backbone.name(), "has no feature/classifier split: no top-level layer "
                + "turns the (C, H, W) feature map into a vector after at least one feature layer");
    }

    private static boolean weighted(LayerSpec n) {
        return n instanceof ConvSpec || n instanceof LinearSpec || n.children().stream().anyMatch(
                BackboneSplit::weighted);
    }
}
