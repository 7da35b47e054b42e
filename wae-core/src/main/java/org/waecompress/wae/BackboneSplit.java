package org.waecompress.wae;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * A backbone cut into its feature extractor and its classifier: the root must be a sequential node,
 * and the classifier starts at the first child whose output is no longer a {@code (C, H, W)} map
 * (a flatten or a global pooling). That rule covers VGG ({@code features} | {@code flatten,
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
                return new BackboneSplit(List.copyOf(children.subList(0, i)),
                        List.copyOf(children.subList(i, children.size())), s);
            }
            s = out;
        }
        throw new InvalidSettingException(key, backbone.name(), "has no feature/classifier split: no top-level layer "
                + "turns the (C, H, W) feature map into a vector after at least one feature layer");
    }
}
