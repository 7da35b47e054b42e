package org.waecompress.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;

class SafeTensorsTest {

    @TempDir
    Path dir;

    static NetworkSpec small() {
        return ResNet.cifar(20, new Shape(1, 16, 16), 4, 0.25);
    }

    @Test
    void roundTripKeepsEveryTensor() {
        try (Network net = Network.random(small(), 4, 9)) {
            Path f = dir.resolve("r20.safetensors");
            SafeTensors.export(net, f);
            SafeTensors st = SafeTensors.open(f);
            assertEquals(net.weights().keySet(), st.entries().keySet());
            assertEquals("resnet20-w0.25", st.metadata().get("spec"));
            try (Network back = SafeTensors.importInto(small(), 4, f)) {
                for (String k : net.weights().keySet()) {
                    assertTrue(Arrays.equals(net.weight(k).toFloatArray(), back.weight(k).toFloatArray()), k);
                }
            }
        }
    }

    /** Writes a file the way PyTorch does, with an extra int64 counter and an F16 tensor. */
    static void writeRaw(Path f, String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(f, b.array());
    }

    @Test
    void readsHalfPrecisionAndIgnoresBatchCounters() throws Exception {
        Path f = dir.resolve("half.safetensors");
        ByteBuffer d = ByteBuffer.allocate(4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putLong(7);
        writeRaw(f, "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]}}", d.array());
        float[] w = SafeTensors.open(f).readFloats("w");
        assertEquals(1.0f, w[0]);
        assertEquals(-2.0f, w[1]);
    }

    @Test
    void rejectsCorruptHeaders() throws Exception {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(message(f).contains("shorter than the 8-byte header length"), message(f));

        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(f, b.array());
        assertTrue(message(f).contains("header length 1099511627776 is impossible"), message(f));

        writeRaw(f, "{\"w\": {\"dtype\": \"F32\", ", new byte[0]);
        assertTrue(message(f).contains("header is not valid JSON"), message(f));

        writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        assertTrue(message(f).contains("outside the data section of 8 bytes"), message(f));

        writeRaw(f, "{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
        assertTrue(message(f).contains("unknown dtype Q7"), message(f));

        writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertTrue(message(f).contains("needs 12"), message(f));
    }

    static String message(Path f) {
        return assertThrows(CompressionException.class, () -> SafeTensors.open(f)).getMessage();
    }

    @Test
    void importNamesWrongAndMissingTensors() {
        NetworkSpec spec = small();
        try (Network net = Network.random(spec, 4, 9); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(net.weights());
            w.put("fc.weight", m.zeros(new Shape(4, 17)));
            Path f = dir.resolve("wrong.safetensors");
            SafeTensors.write(f, w, Map.of());
            CompressionException e = assertThrows(CompressionException.class, () -> SafeTensors.importInto(spec, 4, f));
            assertTrue(e.getMessage().contains("fc.weight has shape (4, 17)"), e.getMessage());
            w.remove("fc.weight");
            SafeTensors.write(f, w, Map.of());
            e = assertThrows(CompressionException.class, () -> SafeTensors.importInto(spec, 4, f));
            assertTrue(e.getMessage().contains("fc.weight is missing"), e.getMessage());
            w.put("head.weight", m.zeros(new Shape(2)));
            SafeTensors.write(f, w, Map.of());
            e = assertThrows(CompressionException.class, () -> SafeTensors.importInto(spec, 4, f));
            assertTrue(e.getMessage().contains("unexpected tensor head.weight"), e.getMessage());
        }
    }
}
