package org.waecompress.backbones;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * The backbones by name, each with its usual input shape.
 *
 * <table>
 * <caption>Backbones</caption>
 * <tr><th>name</th><th>what</th><th>default input</th></tr>
 * <tr><td>vgg16</td><td>torchvision VGG16</td><td>3x224x224</td></tr>
 * <tr><td>vgg16-bn</td><td>torchvision VGG16-BN</td><td>3x224x224</td></tr>
 * <tr><td>vgg16-ceil</td><td>VGG16 with Caffe's ceil-mode pools (the WAE paper's layout)</td><td>3x224x224</td></tr>
 * <tr><td>resnet50</td><td>torchvision ResNet-50</td><td>3x224x224</td></tr>
 * <tr><td>vgg16-bn-small</td><td>small-image VGG-16-BN, GAP head</td><td>1x32x32</td></tr>
 * <tr><td>resnet20, resnet56</td><td>CIFAR-style ResNets</td><td>1x32x32</td></tr>
 * </table>
 */
public final class Backbones {

    /** Builds a backbone spec. */
    @FunctionalInterface
    public interface Factory {
        /**
         * Creates the spec.
         *
         * @param input the input shape
         * @param classes the number of classes
         * @param width the width factor (only the small-image backbones use it)
         * @return the spec
         */
        NetworkSpec create(Shape input, int classes, double width);
    }

    /**
     * A registered backbone.
     *
     * @param name its name
     * @param description one line
     * @param defaultInput its usual input shape
     * @param defaultClasses its usual class count
     * @param factory builds it
     */
    public record Entry(String name, String description, Shape defaultInput, int defaultClasses, Factory factory) {}

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        Shape imagenet = new Shape(3, 224, 224);
        Shape small = new Shape(1, 32, 32);
        add(new Entry("vgg16", "torchvision VGG16 (138.4 M params)", imagenet, 1000,
                (in, c, w) -> Vgg.vgg16(in, c, false, false)));
        add(new Entry("vgg16-bn", "torchvision VGG16 with batch-norm", imagenet, 1000,
                (in, c, w) -> Vgg.vgg16(in, c, true, false)));
        add(new Entry("vgg16-ceil", "VGG16 with Caffe's ceil-mode pools (WAE paper layout)", imagenet, 1000,
                (in, c, w) -> Vgg.vgg16(in, c, false, true)));
        add(new Entry("resnet50", "torchvision ResNet-50 (25.6 M params)", imagenet, 1000,
                (in, c, w) -> ResNet.resnet50(in, c)));
        add(new Entry("vgg16-bn-small", "small-image VGG-16-BN with a global-average-pool head", small, 10,
                Vgg::smallBn));
        add(new Entry("resnet20", "CIFAR-style ResNet-20", small, 10, (in, c, w) -> ResNet.cifar(20, in, c, w)));
        add(new Entry("resnet56", "CIFAR-style ResNet-56", small, 10, (in, c, w) -> ResNet.cifar(56, in, c, w)));
    }

    private Backbones() {}

    private static void add(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    /**
     * Returns every backbone, in registration order.
     *
     * @return name to entry
     */
    public static Map<String, Entry> all() {
        return Map.copyOf(ENTRIES);
    }

    /**
     * Returns a backbone's entry.
     *
     * @param name the name
     * @return the entry
     * @throws InvalidSettingException if there is no such backbone, listing the known names
     */
    public static Entry get(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new InvalidSettingException("backbone", name, "unknown backbone; known: "
                    + String.join(", ", ENTRIES.keySet()));
        }
        return e;
    }

    /**
     * Creates a backbone at its default input shape and class count.
     *
     * @param name the name
     * @return the spec
     */
    public static NetworkSpec create(String name) {
        Entry e = get(name);
        return e.factory().create(e.defaultInput(), e.defaultClasses(), 1.0);
    }

    /**
     * Creates a backbone.
     *
     * @param name the name
     * @param input the input shape
     * @param classes the number of classes
     * @param width the width factor (small-image backbones)
     * @return the spec
     */
    public static NetworkSpec create(String name, Shape input, int classes, double width) {
        return get(name).factory().create(input, classes, width);
    }
}
