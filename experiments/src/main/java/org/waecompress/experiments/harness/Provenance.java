package org.waecompress.experiments.harness;

import ai.djl.engine.Engine;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.spec.ChannelMultiple;

/**
 * What a run's numbers were measured with, built as JSON data: the configuration and its sources, the
 * strategies' effective settings, versions, the machine ({@link Machine}), the latency regime, a loaded
 * backbone file and the resumes; written once as text ({@link #text}).
 */
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
     * @return the record, to which the {@code with} methods add
     */
    public static JsonObject of(ExperimentConfig config, List<String> args, String data, Instant started,
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
        env.addProperty("cpu", Machine.cpuModel());
        env.addProperty("cores", Runtime.getRuntime().availableProcessors());
        env.addProperty("intraOpThreads", Latency.threads());
        env.addProperty("interOpThreads", System.getProperty("ai.djl.pytorch.num_interop_threads", "engine default"));
        env.addProperty("ompWaitPolicy", System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset (spin, then sleep)"));
        env.addProperty("gitCommit", Machine.gitCommit());
        // what channelMultiple = auto resolves from on this machine
        env.addProperty("channelBlock", ChannelMultiple.runtimeBlock());
        env.add("devices", Machine.devices());
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
        return o;
    }

    /**
     * Returns a record as the text {@code provenance.json} holds.
     *
     * @param o the record
     * @return pretty-printed JSON with a final newline
     */
    public static String text(JsonObject o) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    /**
     * Records the backbone file a run loaded instead of training: its path and SHA-256.
     *
     * @param o the record, changed
     * @param file the file
     * @param sha256 its digest
     * @return the record
     */
    static JsonObject withBackboneWeights(JsonObject o, Path file, String sha256) {
        JsonObject w = new JsonObject();
        w.addProperty("file", file.toAbsolutePath().toString());
        w.addProperty("sha256", sha256);
        try {
            w.addProperty("bytes", Files.size(file));
        } catch (IOException e) {
            // the digest identifies it
        }
        o.add("backboneWeights", w);
        return o;
    }

    /**
     * Adds every selected strategy's settings as their declarations give them: each declared setting
     * with its effective value and where it came from (a layer of the plan, a variant's definition,
     * or the declared default).
     *
     * @param o the record, changed
     * @param settings id to setting name to {value, source}
     * @return the record, with {@code strategySettings}
     */
    public static JsonObject withStrategySettings(JsonObject o, Map<String, Map<String, String[]>> settings) {
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
        return o;
    }

    /**
     * Adds a resume layer to a run's provenance: the plan (its {@code config}) stays the one that
     * started the run, and {@code resumes} gains when, with which command line and on which machine
     * the run continued, and which keys that cannot change results it changed.
     *
     * @param plan the stored provenance
     * @param now the record this resume would have written for a new run
     * @param changed key to {old, new}, from {@link ResumeCheck#compare}
     * @return a new record: the stored one with the resume added
     */
    static JsonObject withResume(JsonObject plan, JsonObject now, Map<String, String[]> changed) {
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
        return out;
    }
}
