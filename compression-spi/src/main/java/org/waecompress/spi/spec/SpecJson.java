package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonDeserializationContext;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import java.util.Map;
import java.util.TreeSet;

/**
 * JSON form of specs: every node is an object with a {@code type} tag and its record fields.
 *
 * <pre>{@code
 * {"format": 1, "name": "vgg16", "inputShape": [3, 224, 224],
 *  "root": {"type": "sequential", "layers": [{"type": "conv", "name": "0", "in": 3, ...}]}}
 * }</pre>
 */
public final class SpecJson {

    /** The version of the JSON layout written by this class. */
    public static final int FORMAT = 1;

    private static final Gson GSON = gson();

    private SpecJson() {}

    /**
     * Returns a Gson instance that reads and writes specs, shapes and all registered node types.
     *
     * @return the Gson instance
     */
    public static Gson gson() {
        GsonBuilder b = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping();
        b.registerTypeAdapter(Shape.class, (JsonSerializer<Shape>) (s, t, c) -> {
            JsonArray a = new JsonArray();
            for (long d : s.getShape()) {
                a.add(d);
            }
            return a;
        });
        b.registerTypeAdapter(Shape.class, (JsonDeserializer<Shape>) (e, t, c) -> {
            if (!e.isJsonArray()) {
                throw new JsonParseException("a shape must be an array of integers, got " + e);
            }
            long[] d = new long[e.getAsJsonArray().size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = e.getAsJsonArray().get(i).getAsLong();
            }
            return new Shape(d);
        });
        b.registerTypeAdapter(HeightWidth.class, (JsonSerializer<HeightWidth>) (v, t, c) -> {
            if (v.square()) {
                return new JsonPrimitive(v.h());
            }
            JsonArray a = new JsonArray();
            a.add(v.h());
            a.add(v.w());
            return a;
        });
        b.registerTypeAdapter(HeightWidth.class, (JsonDeserializer<HeightWidth>) (e, t, c) -> {
            if (e.isJsonPrimitive()) {
                return HeightWidth.of(e.getAsInt());
            }
            JsonArray a = e.getAsJsonArray();
            if (a.size() != 2) {
                throw new JsonParseException("expected a number or [h, w], got " + e);
            }
            return new HeightWidth(a.get(0).getAsInt(), a.get(1).getAsInt());
        });
        b.registerTypeAdapter(LayerSpec.class, (JsonSerializer<LayerSpec>) (node, t, c) -> {
            JsonObject o = new JsonObject();
            o.addProperty("type", node.type());
            JsonObject fields = c.serialize(node, node.getClass()).getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : fields.entrySet()) {
                o.add(e.getKey(), e.getValue());
            }
            return o;
        });
        b.registerTypeAdapter(LayerSpec.class, (JsonDeserializer<LayerSpec>) (e, t, c) -> {
            if (!e.isJsonObject() || !e.getAsJsonObject().has("type")) {
                throw new JsonParseException("a node must be an object with a \"type\" field, got " + abbreviate(e));
            }
            String tag = e.getAsJsonObject().get("type").getAsString();
            Class<? extends LayerSpec> cls = NodeTypes.all().get(tag);
            if (cls == null) {
                throw new JsonParseException("unknown node type '" + tag + "'; known types: "
                        + new TreeSet<>(NodeTypes.all().keySet())
                        + " (a plugin's node type needs its jar on the classpath)");
            }
            JsonObject fields = e.getAsJsonObject().deepCopy();
            fields.remove("type");
            try {
                return c.deserialize(fields, cls);
            } catch (RuntimeException ex) {
                for (Throwable x = ex; x != null; x = x.getCause() == x ? null : x.getCause()) {
                    if (x instanceof JsonParseException && x.getMessage() != null
                            && x.getMessage().contains(" node ")) {
                        throw (JsonParseException) x;
                    }
                }
                throw new JsonParseException(badField(tag, cls, fields, c, ex), ex);
            }
        });
        return b.create();
    }

    /**
     * Names the field of a node that does not read as its type, for a one-line error: {@code conv
     * node {...}: field 'out' must be a whole number, not "eight"}.
     */
    private static String badField(String tag, Class<? extends LayerSpec> cls, JsonObject fields,
            JsonDeserializationContext c, RuntimeException ex) {
        String node = tag + " node " + abbreviate(fields);
        if (cls.isRecord()) {
            for (java.lang.reflect.RecordComponent rc : cls.getRecordComponents()) {
                JsonElement v = fields.get(rc.getName());
                if (v == null) {
                    continue;
                }
                try {
                    Object o = c.deserialize(v, rc.getGenericType());
                    if (o == null && rc.getType().isPrimitive()) {
                        throw new JsonParseException("null");
                    }
                } catch (RuntimeException fieldError) {
                    return node + ": field '" + rc.getName() + "' must be " + kind(rc.getType()) + ", not "
                            + abbreviate(v);
                }
            }
        }
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return node + ": " + cause.getMessage();
    }

    private static String kind(Class<?> type) {
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == float.class || type == Double.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "a " + type.getSimpleName();
    }

    private static String abbreviate(JsonElement e) {
        String s = e.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /**
     * Writes a spec as JSON.
     *
     * @param spec the spec
     * @return the JSON text
     */
    public static String toJson(NetworkSpec spec) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("name", spec.name());
        o.add("inputShape", GSON.toJsonTree(spec.inputShape(), Shape.class));
        o.add("root", GSON.toJsonTree(spec.root(), LayerSpec.class));
        return GSON.toJson(o);
    }

    /**
     * Writes one node as JSON.
     *
     * @param node the node
     * @return the JSON text
     */
    public static String toJson(LayerSpec node) {
        return GSON.toJson(node, LayerSpec.class);
    }

    /**
     * Returns a copy of a node with another name, for any registered node type (the node is written
     * as JSON and read back with the new name): how a rewrite pins an index-named node to an explicit
     * name, or makes it transparent, so that moving it keeps its parameters' paths.
     *
     * @param node the node
     * @param name the new name (null for the index in its parent, empty for transparent)
     * @return the renamed node
     */
    public static LayerSpec withName(LayerSpec node, String name) {
        if (java.util.Objects.equals(node.name(), name)) {
            return node;
        }
        JsonObject o = GSON.toJsonTree(node, LayerSpec.class).getAsJsonObject();
        o.remove("name");
        if (name != null) {
            o.addProperty("name", name);
        }
        return GSON.fromJson(o, LayerSpec.class);
    }

    /**
     * Reads a spec from JSON and validates it.
     *
     * @param json the JSON text
     * @param source where the text came from, for error messages (a file name)
     * @return the spec
     * @throws SpecException if the text is not a valid spec
     */
    public static NetworkSpec fromJson(String json, String source) {
        try {
            JsonObject o = GSON.fromJson(json, JsonObject.class);
            if (o == null || !o.has("root") || !o.has("inputShape")) {
                throw new SpecException(source + ": not a network spec (needs \"inputShape\" and \"root\")");
            }
            int format = o.has("format") ? o.get("format").getAsInt() : FORMAT;
            if (format != FORMAT) {
                throw new SpecException(source + ": spec format " + format + " is not supported (expected "
                        + FORMAT + ")");
            }
            Shape in = GSON.fromJson(o.get("inputShape"), Shape.class);
            LayerSpec root = GSON.fromJson(o.get("root"), LayerSpec.class);
            String name = o.has("name") ? o.get("name").getAsString() : "network";
            return new NetworkSpec(name, in, root);
        } catch (SpecException e) {
            if (e.getMessage().startsWith(source + ": ")) {
                throw e;
            }
            throw new SpecException(source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // the outermost message that says something: a node's own, or Gson's with the JSON path
            Throwable cause = e;
            while (cause.getCause() != null && cause != cause.getCause() && !(cause instanceof SpecException)
                    && !(cause instanceof JsonParseException && cause.getMessage() != null
                            && cause.getMessage().contains(" node "))) {
                cause = cause.getCause();
            }
            String m = String.valueOf(cause.getMessage());
            throw new SpecException(m.startsWith(source + ": ") ? m : source + ": invalid spec JSON: " + m, e);
        }
    }
}
