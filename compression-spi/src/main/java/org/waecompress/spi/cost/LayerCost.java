package org.waecompress.spi.cost;

import ai.djl.ndarray.types.Shape;

/**
 * The cost of one node of a spec (a leaf's own cost, or a composite's whole subtree).
 *
 * @param path the node's dotted path
 * @param type the node's type tag
 * @param in the input shape
 * @param out the output shape
 * @param params trainable parameters (weights, biases, batch-norm scale and shift)
 * @param macs multiply-accumulates for one sample
 * @param depth the depth in the tree (root = 0)
 * @param leaf whether the node has no children
 */
public record LayerCost(String path, String type, Shape in, Shape out, long params, long macs, int depth,
        boolean leaf) {}
