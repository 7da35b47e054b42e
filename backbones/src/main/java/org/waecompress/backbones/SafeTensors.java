package org.waecompress.backbones;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;

/**
 * Reads and writes weights in the safetensors format (https://github.com/huggingface/safetensors)
 * with torchvision's tensor names, so ImageNet weights exported from torchvision
 * ({@code safetensors.torch.save_file(model.state_dict(), "vgg16.safetensors")}) load into the
 * matching backbone spec, and our networks export for PyTorch.
 *
 * <p>The format is an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * its dtype, shape and byte range, then the raw little-endian data. It holds no code, so nothing is
 * ever deserialised but numbers. Every header field is checked before any data is read: a truncated
 * file, a header length past the end, malformed JSON, an unknown dtype or a byte range that does not
 * match the shape are rejected with the file's name and what is wrong.
 *
 * <p>Over 400 lines because it is the whole format in one place: the header's checks, reading, writing
 * and the mapping of a file's tensors onto a spec's parameters, each needing the others' layout rules.
 */
public final class SafeTensors {

    /** The largest header accepted (the reference implementation's limit). */
    static final long MAX_HEADER = 100L * 1024 * 1024;

    /**
     * One tensor's header entry.
     *
     * @param name the tensor name
     * @param dtype the dtype tag ({@code F32}, {@code F16}, {@code BF16}, {@code F64}, {@code I64}, ...)
     * @param shape the shape
     * @param begin the first byte, relative to the data section
     * @param end one past the last byte
     */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        /**
         * Returns the number of elements.
         *
         * @return the element count
         */
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private final long dataStart;

    private SafeTensors(Path file, Map<String, Entry> entries, Map<String, String> metadata, long dataStart) {
        this.file = file;
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.dataStart = dataStart;
    }

    static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    /**
     * Opens a file and validates its header.
     *
     * @param file the {@code .safetensors} file
     * @return the opened file (data is read on demand)
     * @throws CompressionException if the file is missing or malformed
     */
    public static SafeTensors open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw bad(file, "header length " + headerLen + " is impossible for a file of " + size
                        + " bytes (corrupt or truncated header)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String json = new String(hb.array(), StandardCharsets.UTF_8);
            JsonObject header;
            try {
                header = new Gson().fromJson(json, JsonObject.class);
            } catch (JsonParseException e) {
                throw bad(file, "header is not valid JSON (" + e.getMessage() + ")");
            }
            if (header == null) {
                throw bad(file, "header is empty");
            }
            long dataLen = size - 8 - headerLen;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    if (!e.getValue().isJsonObject()) {
                        throw bad(file, "__metadata__ is not an object of strings");
                    }
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        JsonElement v = m.getValue();
                        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                            throw bad(file, "__metadata__ value of '" + m.getKey() + "' is " + v
                                    + ", not a string");
                        }
                        meta.put(m.getKey(), v.getAsString());
                    }
                    continue;
                }
                entries.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataLen));
            }
            checkNoOverlap(file, entries);
            return new SafeTensors(file, entries, meta, 8 + headerLen);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Entry parseEntry(Path file, String name, JsonElement v, long dataLen) {
        try {
            JsonObject o = v.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            int es = dtypeSize(dtype);
            if (es < 0) {
                throw bad(file, "tensor " + name + " has unknown dtype " + dtype);
            }
            JsonArray s = o.get("shape").getAsJsonArray();
            long[] shape = new long[s.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = whole(file, name, "shape", s.get(i));
                if (shape[i] < 0) {
                    throw bad(file, "tensor " + name + " has a negative dimension");
                }
                try {
                    n = Math.multiplyExact(n, shape[i]);
                } catch (ArithmeticException e) {
                    throw bad(file, "tensor " + name + " has shape " + s + ", more elements than a long can count");
                }
            }
            JsonArray off = o.get("data_offsets").getAsJsonArray();
            if (off.size() != 2) {
                throw bad(file, "tensor " + name + " has data_offsets " + off + "; expected [begin, end]");
            }
            long begin = whole(file, name, "data_offsets", off.get(0));
            long end = whole(file, name, "data_offsets", off.get(1));
            if (begin < 0 || end < begin || end > dataLen) {
                throw bad(file, "tensor " + name + " has byte range [" + begin + ", " + end
                        + ") outside the data section of " + dataLen + " bytes (truncated file?)");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(n, (long) es);
            } catch (ArithmeticException e) {
                throw bad(file, "tensor " + name + " has shape " + s + ", more bytes than a long can count");
            }
            if (end - begin != bytes) {
                throw bad(file, "tensor " + name + " has " + (end - begin) + " bytes but shape "
                        + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + bytes);
            }
            return new Entry(name, dtype, shape, begin, end);
        } catch (IllegalStateException | NullPointerException | UnsupportedOperationException
                | IndexOutOfBoundsException e) {
            throw bad(file, "header entry for tensor " + name + " is malformed (needs dtype, shape, data_offsets)");
        }
    }

    /** Reads a whole number of a tensor's header entry, refusing text, fractions and values beyond a long. */
    private static long whole(Path file, String name, String field, JsonElement v) {
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
            try {
                return new java.math.BigDecimal(v.getAsString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                // a fraction or beyond a long: refused below
            }
        }
        throw bad(file, "tensor " + name + " has " + field + " value " + v + "; expected a whole number that fits a "
                + "long");
    }

    /** Refuses tensors whose byte ranges share bytes: each tensor must own its data. */
    private static void checkNoOverlap(Path file, Map<String, Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.removeIf(e -> e.end() == e.begin());
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw bad(file, "tensor " + b.name() + " (bytes [" + b.begin() + ", " + b.end() + ")) overlaps tensor "
                        + a.name() + " (bytes [" + a.begin() + ", " + a.end() + "))");
            }
        }
    }

    /**
     * Converts an IEEE 754 half-precision value to float.
     *
     * @param h the 16 bits
     * @return the value
     */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits >>> 15) << 31;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static DataException bad(Path file, String what) {
        return new DataException(file + ": not a valid safetensors file: " + what);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            p += r;
        }
    }

    /**
     * Returns the tensors' header entries by name.
     *
     * @return the entries
     */
    public Map<String, Entry> entries() {
        return entries;
    }

    /**
     * Returns the header's {@code __metadata__} strings.
     *
     * @return the metadata
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads a floating-point tensor, converted to float32.
     *
     * @param name the tensor name
     * @return the values, row-major
     * @throws CompressionException if the tensor is absent or not floating point
     */
    public float[] readFloats(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CompressionException(file + ": has no tensor " + name);
        }
        int n = Math.toIntExact(e.elements());
        float[] out = new float[n];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, b, dataStart + e.begin());
            b.flip();
            switch (e.dtype()) {
                case "F32" -> b.asFloatBuffer().get(out);
                case "F64" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) b.getDouble();
                    }
                }
                case "F16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = halfToFloat(b.getShort());
                    }
                }
                case "BF16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                    }
                }
                default -> throw new CompressionException(file + ": tensor " + name + " has dtype " + e.dtype()
                        + ", expected a floating-point type (F32, F16, BF16, F64)");
            }
            return out;
        } catch (IOException ex) {
            throw new CompressionException(file + ": cannot read tensor " + name + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Writes float32 tensors as a safetensors file (atomically: temporary file, then move).
     *
     * @param file the target
     * @param tensors name to array (written in this order)
     * @param metadata header metadata strings
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        metadata.forEach(meta::addProperty);
        header.add("__metadata__", meta);
        long offset = 0;
        List<NDArray> order = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().getShape().getShape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            long bytes = e.getValue().getShape().size() * 4;
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + bytes);
            t.add("data_offsets", off);
            header.add(e.getKey(), t);
            offset += bytes;
            order.add(e.getValue());
        }
        byte[] h = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        byte[] hp = new byte[padded];
        java.util.Arrays.fill(hp, (byte) ' ');
        System.arraycopy(h, 0, hp, 0, h.length);
        try {
            AtomicFiles.write(file, out -> {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(hp);
                for (NDArray a : order) {
                    float[] v = a.toFloatArray();
                    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    out.write(b.array());
                }
            });
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Exports a network's weights (including batch-norm running statistics) with its parameter names.
     *
     * @param network the network
     * @param file the target file
     */
    public static void export(Network network, Path file) {
        write(file, network.weights(), Map.of("format", "pt", "spec", network.spec().name()));
    }

    /**
     * Imports weights into a spec: every declared parameter must be present with its shape;
     * torchvision's {@code num_batches_tracked} counters are ignored.
     *
     * @param spec the spec the weights are for
     * @param classes the number of classes
     * @param file the safetensors file
     * @return the network
     * @throws CompressionException naming a missing, unexpected or mis-shaped tensor
     */
    public static Network importInto(NetworkSpec spec, int classes, Path file) {
        SafeTensors st = open(file);
        Map<String, ParamDef> defs = spec.parameters();
        for (String name : st.entries().keySet()) {
            if (!defs.containsKey(name) && !name.endsWith("num_batches_tracked")) {
                throw new DataException(file + ": unexpected tensor " + name + " (the spec '" + spec.name()
                        + "' has no such parameter; is this the right backbone?)");
            }
        }
        try (NDManager m = Devices.newManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (Map.Entry<String, ParamDef> d : defs.entrySet()) {
                Entry e = st.entries().get(d.getKey());
                if (e == null) {
                    throw new DataException(file + ": tensor " + d.getKey() + " is missing (the spec '"
                            + spec.name() + "' expects shape " + d.getValue().shape() + ")");
                }
                Shape shape = new Shape(e.shape());
                if (!shape.equals(d.getValue().shape())) {
                    throw new DataException(file + ": tensor " + d.getKey() + " has shape " + shape
                            + " but the spec '" + spec.name() + "' expects " + d.getValue().shape());
                }
                weights.put(d.getKey(), m.create(st.readFloats(d.getKey()), shape));
            }
            return Network.of(spec, classes, weights, file.toString());
        }
    }
}
