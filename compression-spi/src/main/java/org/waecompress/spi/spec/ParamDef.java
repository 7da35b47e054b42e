package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;

/**
 * A parameter tensor a layer owns, as the spec declares it.
 *
 * @param name the local name (torchvision's: {@code weight}, {@code bias}, {@code running_mean},
 *     {@code running_var})
 * @param shape the tensor's shape
 * @param kind what the tensor is
 */
public record ParamDef(String name, Shape shape, ParamKind kind) {

    /**
     * Returns the number of scalars in the tensor.
     *
     * @return the element count
     */
    public long size() {
        return shape.size();
    }
}
