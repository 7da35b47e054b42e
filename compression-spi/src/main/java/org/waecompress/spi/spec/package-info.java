/**
 * The spec language: a network as an immutable tree of layer records ({@link
 * org.waecompress.spi.spec.NetworkSpec}), shape inference, JSON round trip, rewriting and width
 * scaling, and the extension point for node types ({@link org.waecompress.spi.spec.NodeTypeProvider}).
 */
package org.waecompress.spi.spec;
