package org.waecompress.experiments.harness;

import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.device.Devices;

/** What a run's numbers were measured with: configuration and its sources, versions, machine. */
public final class Provenance {

    private Provenance() {}

    /**
     * Builds the provenance record.
     *
     * @param config the configuration snapshot
     * @param args the command line
     * @param data a description of the data
     * @param started when the run started
     * @param latency how latency is measured
     * @return the JSON text
     */
    public static String json(ExperimentConfig config, List<String> args, String data, Instant started,
            LatencySettings latency) {
        JsonObject o = new JsonObject();
        o.addProperty("startedAt", started.toString());
        o.addProperty("commandLine", String.join(" ", args));
        JsonObject cfg = new JsonObject();
        for (Map.Entry<String, String> e : config.values().entrySet()) {
            JsonObject v = new JsonObject();
            v.addProperty("value", e.getValue());
            v.addProperty("source", config.sources().get(e.getKey()));
            cfg.add(e.getKey(), v);
        }
        o.add("config", cfg);
        o.addProperty("seed", config.get("experiment.seed"));
        o.addProperty("data", data);
        JsonObject env = new JsonObject();
        env.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        env.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        env.addProperty("djl", Engine.getDjlVersion());
        env.addProperty("cpu", cpuModel());
        env.addProperty("cores", Runtime.getRuntime().availableProcessors());
        env.addProperty("intraOpThreads", Latency.threads());
        env.addProperty("interOpThreads", System.getProperty("ai.djl.pytorch.num_interop_threads", "engine default"));
        env.addProperty("ompWaitPolicy", System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset (spin, then sleep)"));
        env.addProperty("gitCommit", gitCommit());
        env.add("devices", devices());
        o.add("environment", env);
        JsonObject lat = new JsonObject();
        JsonArray engines = new JsonArray();
        for (LatencyEngine e : latency.engines()) {
            JsonObject eo = new JsonObject();
            eo.addProperty("engine", e.id());
            eo.addProperty("description", e.describe(e == LatencyEngine.ONNXRUNTIME ? latency.threads()
                    : Latency.threads()));
            if (e == LatencyEngine.ONNXRUNTIME) {
                eo.addProperty("version", OrtNetwork.version());
                eo.addProperty("intraOpThreads", latency.threads());
                eo.addProperty("interOpThreads", 1);
                eo.addProperty("executionMode", "sequential");
                eo.addProperty("graphOptimizationLevel", "all");
                eo.addProperty("exportOpset", OnnxExport.OPSET);
            } else {
                eo.addProperty("version", Engine.getEngine("PyTorch").getVersion());
                eo.addProperty("intraOpThreads", Latency.threads());
            }
            engines.add(eo);
        }
        lat.add("engines", engines);
        lat.addProperty("gapMs", latency.gapMs());
        lat.addProperty("regime", latency.regime());
        lat.addProperty("forks", latency.forks());
        lat.addProperty("batch", latency.batch());
        lat.addProperty("warmup", latency.warmup());
        lat.addProperty("runs", latency.runs());
        lat.addProperty("throughputBatch", latency.throughputBatch());
        o.add("latency", lat);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    /**
     * Describes where the run computes: the devices in use, the GPUs the engine sees, and on a GPU machine the
     * CUDA runtime and the NVIDIA driver versions.
     *
     * @return the description
     */
    static JsonObject devices() {
        JsonObject d = new JsonObject();
        JsonArray used = new JsonArray();
        Devices.all().forEach(x -> used.add(x.toString()));
        d.add("used", used);
        int gpus = Engine.getInstance().getGpuCount();
        d.addProperty("gpusSeen", gpus);
        d.addProperty("cuda", gpus > 0 ? CudaUtils.getCudaVersionString() : "none");
        d.addProperty("nvidiaDriver", nvidiaDriver(Path.of("/proc/driver/nvidia/version")));
        return d;
    }

    /**
     * Reads the NVIDIA kernel driver's version from its {@code /proc} file ("NVRM version: NVIDIA UNIX x86_64
     * Kernel Module  535.104.05 ...").
     *
     * @param file the file
     * @return the version, or {@code none} without the driver
     */
    static String nvidiaDriver(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kernel Module\\s+(\\d+[.\\d]*)")
                        .matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
            return "unknown";
        } catch (IOException e) {
            return "none";
        }
    }

    /**
     * Records the backbone file a run loaded instead of training: its path and SHA-256.
     *
     * @param json the provenance text
     * @param file the file
     * @param sha256 its digest
     * @return the JSON text
     */
    static String withBackboneWeights(String json, Path file, String sha256) {
        JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        JsonObject w = new JsonObject();
        w.addProperty("file", file.toAbsolutePath().toString());
        w.addProperty("sha256", sha256);
        try {
            w.addProperty("bytes", Files.size(file));
        } catch (IOException e) {
            // the digest identifies it
        }
        o.add("backboneWeights", w);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    /**
     * Adds every selected strategy's settings as their declarations give them: each declared setting
     * with its effective value and where it came from (a layer of the plan, a variant's definition,
     * or the declared default).
     *
     * @param json the provenance text
     * @param settings id to setting name to {value, source}
     * @return the provenance with {@code strategySettings}
     */
    public static String withStrategySettings(String json, Map<String, Map<String, String[]>> settings) {
        JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        JsonObject all = new JsonObject();
        settings.forEach((id, m) -> {
            JsonObject one = new JsonObject();
            m.forEach((name, vs) -> {
                JsonObject v = new JsonObject();
                v.addProperty("value", vs[0]);
                v.addProperty("source", vs[1]);
                one.add(name, v);
            });
            all.add(id, one);
        });
        o.add("strategySettings", all);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    /**
     * Adds a resume layer to a run's provenance: the plan (its {@code config}) stays the one that
     * started the run, and {@code resumes} gains when, with which command line and on which machine
     * the run continued, and which keys that cannot change results it changed.
     *
     * @param plan the stored provenance
     * @param resumed the provenance this resume would have written for a new run
     * @param changed key to {old, new}, from {@link ResumeCheck#compare}
     * @return the JSON text
     */
    static String withResume(JsonObject plan, String resumed, Map<String, String[]> changed) {
        JsonObject now = com.google.gson.JsonParser.parseString(resumed).getAsJsonObject();
        JsonObject layer = new JsonObject();
        layer.add("startedAt", now.get("startedAt"));
        layer.add("commandLine", now.get("commandLine"));
        layer.add("environment", now.get("environment"));
        JsonObject ch = new JsonObject();
        changed.forEach((k, v) -> {
            JsonObject c = new JsonObject();
            c.addProperty("from", v[0]);
            c.addProperty("to", v[1]);
            ch.add(k, c);
        });
        layer.add("changed", ch);
        JsonObject out = plan.deepCopy();
        JsonArray resumes = out.has("resumes") && out.get("resumes").isJsonArray() ? out.getAsJsonArray("resumes")
                : new JsonArray();
        resumes.add(layer);
        out.add("resumes", resumes);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(out) + "\n";
    }

    /**
     * Returns the CPU's model name from {@code /proc/cpuinfo}, with its family and model numbers and
     * the widest vector extension it reports and the extensions int8 kernels use (VNNI, AMX; "no VNNI" when
     * neither), e.g. "AMD EPYC (family 25, model 1; AVX2, no VNNI)". Latency
     * ratios depend on them: the thin convolutions of WAE and the wide ones of VGG gain differently
     * from AVX-512 (docs/wae.md).
     *
     * @return the description, or "unknown"
     */
    public static String cpuModel() {
        try {
            return cpuModel(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Describes the first processor of a {@code /proc/cpuinfo} text.
     *
     * @param lines the file's lines
     * @return the description, or "unknown" without a model name
     */
    static String cpuModel(List<String> lines) {
        Map<String, String> first = new LinkedHashMap<>();
        for (String l : lines) {
            if (l.isBlank() && !first.isEmpty()) {
                break;
            }
            int colon = l.indexOf(':');
            if (colon > 0) {
                first.putIfAbsent(l.substring(0, colon).trim(), l.substring(colon + 1).trim());
            }
        }
        String name = first.get("model name");
        if (name == null) {
            return "unknown";
        }
        List<String> details = new ArrayList<>();
        if (first.containsKey("cpu family") && first.containsKey("model")) {
            details.add("family " + first.get("cpu family") + ", model " + first.get("model"));
        }
        Set<String> flags = Set.of(first.getOrDefault("flags", "").split("\\s+"));
        String simd = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2"
                : flags.contains("avx") ? "AVX" : null;
        if (simd != null) {
            // what decides int8 speed: without VNNI (or AMX), int8 kernels can be slower than float ones
            List<String> isa = new ArrayList<>(List.of(simd));
            if (flags.contains("avx512_vnni")) {
                isa.add("AVX512-VNNI");
            }
            if (flags.contains("avx_vnni")) {
                isa.add("AVX-VNNI");
            }
            if (flags.contains("avx512_bf16")) {
                isa.add("AVX512-BF16");
            }
            if (flags.contains("amx_int8")) {
                isa.add("AMX-INT8");
            }
            if (!flags.contains("avx512_vnni") && !flags.contains("avx_vnni") && !flags.contains("amx_int8")) {
                isa.add("no VNNI");
            }
            details.add(String.join(", ", isa));
        }
        return details.isEmpty() ? name : name + " (" + String.join("; ", details) + ")";
    }

    /**
     * Returns the checked-out commit of the git repository this code was built in (found from the
     * location of its classes, not from the user's working folder), read from {@code .git} without
     * running git.
     *
     * @return the commit id, or "unknown"
     */
    public static String gitCommit() {
        try {
            Path dir = Path.of(Provenance.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
            while (dir != null && !Files.isDirectory(dir.resolve(".git"))) {
                dir = dir.getParent();
            }
            if (dir == null) {
                return "unknown";
            }
            String head = Files.readString(dir.resolve(".git/HEAD")).trim();
            if (head.startsWith("ref: ")) {
                Path ref = dir.resolve(".git").resolve(head.substring(5));
                if (Files.exists(ref)) {
                    return Files.readString(ref).trim();
                }
                for (String l : Files.readAllLines(dir.resolve(".git/packed-refs"))) {
                    if (l.endsWith(head.substring(5))) {
                        return l.substring(0, l.indexOf(' '));
                    }
                }
                return "unknown";
            }
            return head;
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return "unknown";
        }
    }
}
