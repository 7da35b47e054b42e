package org.waecompress.tests.opaque;

import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;

/**
 * A third-party strategy whose network holds a node type without an ONNX lowering: the backbone
 * with its input doubled first, weights unchanged.
 */
public final class OpaqueStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "opaque";
    }

    @Override
    public String description() {
        return "The backbone behind a node type that cannot be exported (test plugin)";
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        return new NetworkSpec("opaque-" + backbone.name(), backbone.inputShape(),
                SequentialSpec.of("", new OpaqueNode("double"), backbone.root()));
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        NetworkSpec spec = architecture(trained.spec(), ctx);
        return Network.of(spec, trained.classes(), trained.weights(), "opaque");
    }
}
