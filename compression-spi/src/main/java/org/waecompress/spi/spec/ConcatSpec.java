package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.List;
import org.waecompress.spi.nn.MergeBlock;

/**
 * Branches that all read the input, concatenated along the channel axis.
 *
 * @param name the node name
 * @param branches the branches
 */
public record ConcatSpec(String name, List<LayerSpec> branches) implements LayerSpec {

    /** Copies the branches. */
    public ConcatSpec {
        branches = List.copyOf(branches);
        if (branches.isEmpty()) {
            throw new SpecException("concat " + name + ": needs at least one branch");
        }
    }

    @Override
    public String type() {
        return "concat";
    }

    @Override
    public List<LayerSpec> children() {
        return branches;
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> children) {
        return new ConcatSpec(name, children);
    }

    @Override
    public Shape route(Shape in, Router r) {
        Shape first = r.child(0, in);
        long channels = first.get(0);
        for (int i = 1; i < branches.size(); i++) {
            Shape s = r.child(i, in);
            if (s.dimension() != first.dimension()
                    || !s.slice(1).equals(first.slice(1))) {
                throw r.mismatch("concat branch " + i + " shape (all but channels)", first, s);
            }
            channels += s.get(0);
        }
        long[] dims = first.getShape().clone();
        dims[0] = channels;
        return new Shape(dims);
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            blocks.add(ctx.child(i, in));
        }
        if (branches.size() > 1 && branches.stream().allMatch(b -> b instanceof ConvSpec c && c.groups() == 1
                && ((ConvSpec) branches.get(0)).sameGeometry(c))) {
            ConvSpec first = (ConvSpec) branches.get(0);
            List<Conv2d> convs = blocks.stream().map(b -> (Conv2d) b).toList();
            return MergeBlock.concatConvolutions(convs, BuiltInLayers.djl(first.stride()),
                    BuiltInLayers.djl(first.padding()), ctx.outShape());
        }
        return MergeBlock.concat(blocks, ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            parts.add(ctx.child(i, x, in));
        }
        return parts.size() == 1 ? parts.get(0)
                : ctx.op("Concat").in(parts.toArray(String[]::new)).attr("axis", 1).out();
    }
}
