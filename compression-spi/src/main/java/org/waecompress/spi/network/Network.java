package org.waecompress.spi.network;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.device.EngineLock;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecJson;

/**
 * A network as data: a {@link NetworkSpec} plus one tensor per declared parameter, by full name.
 *
 * <p>Networks are values: strategies return new networks and never change the one they are given.
 * The weights live in this object's own {@link NDManager}; {@link #close()} frees them.
 *
 * <p>On disk a network is two files: {@code NAME.spec.json} (the spec, the number of classes) and
 * {@code NAME.params} (DJL's parameter format, as {@code Block.saveParameters} writes it). Loading
 * checks every tensor against the spec and names the first parameter whose shape disagrees.
 */
public final class Network implements AutoCloseable {

    private final NetworkSpec spec;
    private final int classes;
    private final NDManager manager;
    private final Map<String, NDArray> weights;

    private Network(NetworkSpec spec, int classes, NDManager manager, Map<String, NDArray> weights) {
        this.spec = spec;
        this.classes = classes;
        this.manager = manager;
        this.weights = Collections.unmodifiableMap(weights);
    }

    /**
     * Creates a network with freshly initialised weights (He-normal weights, zero biases, unit
     * batch-norm scales).
     *
     * @param spec the spec
     * @param classes the number of classes
     * @param seed the seed of the engine's random generator
     * @return the network
     */
    public static Network random(NetworkSpec spec, int classes, long seed) {
        // no other thread may draw from the engine's generator between this seed and these draws
        try (EngineLock.Held held = EngineLock.hold(); NDManager tmp = Devices.newManager()) {
            Engine.getInstance().setRandomSeed((int) seed);
            BuiltNetwork built = BuiltNetwork.create(spec, tmp);
            built.initializeRandom();
            return fromBuilt(built, classes);
        }
    }

    /**
     * Creates a network from weights, copying them after checking every shape against the spec.
     *
     * @param spec the spec
     * @param classes the number of classes
     * @param weights one tensor per declared parameter
     * @param source where the weights came from, for error messages
     * @return the network
     * @throws SpecException if a tensor is missing, extra or of the wrong shape
     */
    public static Network of(NetworkSpec spec, int classes, Map<String, NDArray> weights, String source) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        weights.forEach((k, v) -> shapes.put(k, v.getShape()));
        checkShapes(spec, shapes, source);
        NDManager m = Devices.newManager();
        Map<String, NDArray> copy = new LinkedHashMap<>();
        for (String name : spec.parameters().keySet()) {
            NDArray w = weights.get(name).duplicate();
            w.attach(m);
            copy.put(name, w);
        }
        return new Network(spec, classes, m, copy);
    }

    /**
     * Copies the current parameter values of a built network into a new network.
     *
     * @param built the built network
     * @param classes the number of classes
     * @return the network
     */
    public static Network fromBuilt(BuiltNetwork built, int classes) {
        NDManager m = Devices.newManager();
        Map<String, NDArray> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : built.parameters().entrySet()) {
            NDArray w = e.getValue().getArray().duplicate();
            w.attach(m);
            w.setRequiresGradient(false);
            copy.put(e.getKey(), w);
        }
        return new Network(built.spec(), classes, m, copy);
    }

    /**
     * Checks tensor shapes against a spec's declared parameters.
     *
     * @param spec the spec
     * @param shapes shapes by full parameter name
     * @param source where the tensors came from, for the message
     * @throws SpecException naming the first missing, unexpected or mis-shaped parameter
     */
    public static void checkShapes(NetworkSpec spec, Map<String, Shape> shapes, String source) {
        Map<String, ParamDef> defs = spec.parameters();
        for (Map.Entry<String, ParamDef> e : defs.entrySet()) {
            Shape s = shapes.get(e.getKey());
            if (s == null) {
                throw new SpecException(source + ": parameter " + e.getKey() + " is missing (the spec '"
                        + spec.name() + "' expects shape " + e.getValue().shape() + ")");
            }
            if (!s.equals(e.getValue().shape())) {
                throw new SpecException(source + ": parameter " + e.getKey() + " has shape " + s
                        + " but the spec '" + spec.name() + "' expects " + e.getValue().shape());
            }
        }
        for (String k : shapes.keySet()) {
            if (!defs.containsKey(k)) {
                throw new SpecException(source + ": unexpected parameter " + k + " (not in the spec '"
                        + spec.name() + "')");
            }
        }
    }

    /**
     * Builds a DJL block holding copies of this network's weights.
     *
     * @param parent the manager under which the block's manager is created
     * @return the built network; close it when done
     */
    public BuiltNetwork build(NDManager parent) {
        BuiltNetwork built = BuiltNetwork.create(spec, parent);
        built.load(weights);
        return built;
    }

    /**
     * Returns the spec.
     *
     * @return the spec
     */
    public NetworkSpec spec() {
        return spec;
    }

    /**
     * Returns the input shape of one sample.
     *
     * @return {@code (C, H, W)}
     */
    public Shape inputShape() {
        return spec.inputShape();
    }

    /**
     * Returns the number of classes.
     *
     * @return the class count
     */
    public int classes() {
        return classes;
    }

    /**
     * Returns the weights by full name, in spec order. Do not modify the arrays.
     *
     * @return the weights
     */
    public Map<String, NDArray> weights() {
        return weights;
    }

    /**
     * Returns one weight tensor.
     *
     * @param name the full parameter name
     * @return the tensor
     * @throws SpecException if there is no such parameter
     */
    public NDArray weight(String name) {
        NDArray w = weights.get(name);
        if (w == null) {
            throw new SpecException("network '" + spec.name() + "' has no parameter " + name);
        }
        return w;
    }

    /**
     * Saves the network as {@code dir/baseName.spec.json} and {@code dir/baseName.params}; each file
     * is written to a temporary name and moved into place.
     *
     * @param dir the folder (created if missing)
     * @param baseName the file name stem
     * @return the path of the spec file
     */
    public Path save(Path dir, String baseName) {
        try {
            Files.createDirectories(dir);
            Path specFile = dir.resolve(baseName + ".spec.json");
            Path paramFile = dir.resolve(baseName + ".params");
            Gson gson = new Gson();
            JsonObject o = gson.fromJson(SpecJson.toJson(spec), JsonObject.class);
            o.addProperty("classes", classes);
            String json = SpecJson.gson().toJson(o);
            AtomicFiles.write(paramFile, out -> {
                try (NDManager tmp = Devices.newManager(); BuiltNetwork built = build(tmp)) {
                    DataOutputStream dos = new DataOutputStream(new BufferedOutputStream(out));
                    built.block().saveParameters(dos);
                    dos.flush();
                }
            });
            AtomicFiles.write(specFile, out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
            return specFile;
        } catch (IOException e) {
            throw new CompressionException("cannot save network to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a network saved by {@link #save}.
     *
     * @param specFile the {@code .spec.json} file; the {@code .params} file sits beside it
     * @return the network
     * @throws CompressionException if a file is missing or does not match the spec
     */
    public static Network load(Path specFile) {
        Objects.requireNonNull(specFile, "specFile");
        String fileName = specFile.getFileName().toString();
        if (!fileName.endsWith(".spec.json")) {
            throw new DataException(specFile + ": expected a NAME.spec.json file written by Network.save");
        }
        Path paramFile = specFile.resolveSibling(fileName.substring(0, fileName.length() - ".spec.json".length())
                + ".params");
        String json;
        try {
            json = Files.readString(specFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(specFile + ": file not found");
        } catch (IOException e) {
            throw new CompressionException(specFile + ": cannot read: " + e.getMessage(), e);
        }
        NetworkSpec spec = SpecJson.fromJson(json, specFile.toString());
        JsonObject o = new Gson().fromJson(json, JsonObject.class);
        int classes = o.has("classes") ? o.get("classes").getAsInt() : (int) spec.outputShape().get(0);
        try (NDManager tmp = Devices.newManager();
                InputStream in = new BufferedInputStream(Files.newInputStream(paramFile))) {
            BuiltNetwork built = BuiltNetwork.create(spec, tmp);
            try {
                built.block().loadParameters(built.manager(), new DataInputStream(in));
            } catch (MalformedModelException | EOFException e) {
                throw new SpecException(paramFile + ": does not match the network in " + specFile.getFileName()
                        + " (" + e.getMessage() + ")", e);
            }
            Map<String, Shape> shapes = new LinkedHashMap<>();
            built.parameters().forEach((k, p) -> shapes.put(k, p.getArray().getShape()));
            checkShapes(spec, shapes, paramFile.toString());
            return fromBuilt(built, classes);
        } catch (NoSuchFileException e) {
            throw new DataException(paramFile + ": file not found (it belongs beside " + specFile + ")");
        } catch (IOException e) {
            throw new CompressionException(paramFile + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
