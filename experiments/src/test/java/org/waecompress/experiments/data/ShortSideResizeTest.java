package org.waecompress.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ShortSideResizeTest {

    @Test
    void theShorterSideGetsTheEdgeAndTheLongerOneKeepsTheAspectRatioRoundedDown() {
        ShortSideResize r = new ShortSideResize(256);
        // 400 * 256 / 300 = 341.33: rounded down, as DJL 0.36's ResizeShort does
        assertArrayEquals(new int[] {256, 341}, r.outputSize(300, 400));
        assertArrayEquals(new int[] {341, 256}, r.outputSize(400, 300));
        assertArrayEquals(new int[] {256, 256}, r.outputSize(500, 500));
        assertArrayEquals(new int[] {256, 512}, r.outputSize(100, 200));
        assertThrows(IllegalArgumentException.class, () -> new ShortSideResize(0));
    }

    @Test
    void resizesAnHwcImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray img = m.arange(0f, 12f * 16 * 3).reshape(12, 16, 3).toType(DataType.UINT8, false);
            NDArray out = new ShortSideResize(6).transform(img);
            assertEquals(new Shape(6, 8, 3), out.getShape());
            // a constant image stays constant under bilinear interpolation
            NDArray flat = m.full(new Shape(10, 20, 3), (byte) 7, DataType.UINT8);
            NDArray flatOut = new ShortSideResize(5).transform(flat);
            assertEquals(new Shape(5, 10, 3), flatOut.getShape());
            assertEquals(7, flatOut.toType(DataType.INT32, false).min().getInt());
            assertEquals(7, flatOut.toType(DataType.INT32, false).max().getInt());
        }
    }
}
