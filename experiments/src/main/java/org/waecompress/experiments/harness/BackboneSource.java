package org.waecompress.experiments.harness;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.waecompress.backbones.SafeTensors;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.onnx.OnnxImport;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.io.Sha256;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressListener;

/**
 * Where a run's backbone comes from: trained from random weights, loaded from {@code backbone.weights}
 * (checked against the plan's backbone, hashed for provenance, refused on a resume when the file changed)
 * and fine-tuned when the plan trains, or the run's own saved copy on a resume.
 */
final class BackboneSource {

    private BackboneSource() {}

    /**
     * Reads {@code backbone.weights} before the run folder records anything, so that a file for another
     * network is refused first; nothing when the plan has no such file or a resume has its own copy.
     *
     * @param s the settings
     * @param spec the run's backbone
     * @param classes its classes
     * @param folder the run folder
     * @param resume whether the run resumes
     * @return the loaded network, or null
     */
    static Network preload(ExperimentSettings s, NetworkSpec spec, int classes, RunFolder folder, boolean resume) {
        boolean saved = resume && Files.exists(folder.savedBackbone());
        return s.backboneWeights().isEmpty() || saved ? null : loadWeights(Path.of(s.backboneWeights()), spec, classes);
    }

    /**
     * Returns the run's trained backbone: the run's own saved copy on a resume, else the preloaded
     * {@code backbone.weights} (fine-tuned when the plan trains), else one trained from random weights
     * (or left random without data); a trained or loaded backbone is saved in the run folder at once.
     *
     * @param s the settings
     * @param spec the backbone's spec
     * @param classes its classes
     * @param data the data, or null
     * @param trainer the run's trainer
     * @param folder the run folder
     * @param resume whether the run resumes
     * @param log where progress goes
     * @param preloaded the network {@link #preload} read from {@code backbone.weights}, or null (owned by
     *     this call from now on)
     * @return the backbone, owned by the caller
     */
    static Network acquire(ExperimentSettings s, NetworkSpec spec, int classes, RunData data, NetworkTrainer trainer,
            RunFolder folder, boolean resume, ProgressListener log, Network preloaded) {
        Path saved = folder.savedBackbone();
        if (resume && Files.exists(saved)) {
            log.message("resume: loading the trained backbone from " + saved);
            return Network.load(saved);
        }
        if (preloaded != null) {
            Network loaded = preloaded;
            log.message("backbone: loaded from " + s.backboneFile());
            if (data == null || s.train() == null) {
                try {
                    loaded.save(folder.networks(), "backbone");
                } catch (RuntimeException e) {
                    loaded.close();
                    throw e;
                }
                return loaded;
            }
            NetworkTrainer t = rowTrainer(trainer, s, folder, "backbone", "backbone");
            try (loaded) {
                Network tuned = t.train("fine-tune " + spec.name() + " from " + s.backboneFile(), loaded,
                        data.train(), s.train()).network();
                tuned.save(folder.networks(), "backbone");
                folder.deleteCheckpoints("backbone");
                return tuned;
            }
        }
        if (data == null || s.train() == null) {
            return Network.random(spec, classes, s.seed());
        }
        NetworkTrainer t = rowTrainer(trainer, s, folder, "backbone", "backbone");
        try (Network init = Network.random(spec, classes, s.seed())) {
            Network trained = t.train("train " + spec.name(), init, data.train(), s.train()).network();
            trained.save(folder.networks(), "backbone");
            folder.deleteCheckpoints("backbone");
            return trained;
        }
    }

    /**
     * Loads a trained backbone from {@code backbone.weights}: a safetensors file with the backbone's
     * parameter names (a torchvision {@code state_dict}, or {@link SafeTensors#export}) or a network
     * that waec saved ({@code NAME.spec.json} beside {@code NAME.params}). Every parameter of the
     * run's backbone must be there with its shape.
     *
     * @param file the file
     * @param spec the run's backbone
     * @param classes its classes
     * @return the network
     * @throws InvalidSettingException for a missing file or another format
     * @throws org.waecompress.spi.error.DataException naming the first missing, extra or mis-shaped tensor
     */
    static Network loadWeights(Path file, NetworkSpec spec, int classes) {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new InvalidSettingException("backbone.weights", file, "file not found (relative paths start from "
                    + "the folder you run waec in)");
        }
        if (name.endsWith(".safetensors")) {
            return SafeTensors.importInto(spec, classes, file);
        }
        if (name.endsWith(".spec.json")) {
            try (Network saved = Network.load(file)) {
                if (!SpecJson.toJson(saved.spec().root()).equals(SpecJson.toJson(spec.root()))
                        || !saved.spec().inputShape().equals(spec.inputShape())) {
                    throw new DataException(file + ": holds the network '" + saved.spec().name() + "' (input "
                            + saved.spec().inputShape() + "), whose layers are not those of this plan's backbone '"
                            + spec.name() + "' (input " + spec.inputShape()
                                    + "); set backbone.name, backbone.width and "
                            + "the data as in the run that saved it");
                }
                return Network.of(spec, classes, saved.weights(), file.toString());
            }
        }
        throw new InvalidSettingException("backbone.weights", file, "expected a .safetensors file or a NAME.spec.json "
                + "that waec saved");
    }

    /**
     * Refuses a resume whose {@code backbone.weights} file is not the one the run started from, while
     * the backbone loaded from it is not saved yet (after that the run uses its own copy).
     *
     * @param plan the run's provenance
     * @param s the settings
     * @param folder the run folder
     * @throws InvalidSettingException naming {@code backbone.weights}
     */
    static void checkUnchanged(JsonObject plan, ExperimentSettings s, RunFolder folder) {
        if (s.backboneFile().isEmpty() || !plan.has("backboneWeights") || Files.exists(folder.savedBackbone())) {
            return;
        }
        Path f = Path.of(s.backboneFile());
        String key = s.backboneOnnx().isEmpty() ? "backbone.weights" : "backbone.onnx";
        String was = plan.getAsJsonObject("backboneWeights").get("sha256").getAsString();
        if (Files.isRegularFile(f) && !sha256(f).equals(was)) {
            throw new InvalidSettingException(key, f, "is not the file this run started from (its "
                    + "SHA-256 was " + was.substring(0, 12) + "..., now " + sha256(f).substring(0, 12) + "...); "
                    + "resume with that file, or start a new run folder with --out");
        }
    }

    /**
     * Imports {@code backbone.onnx}, checked against the data: its input shape must be the data's images'
     * and its classes the data's (a plain {@code backbone.input} must agree too).
     *
     * @param s the settings
     * @param data the run's data, or null for a plan without data
     * @param log where the import's notes go
     * @return the imported network (the caller closes it), or null without {@code backbone.onnx}
     * @throws InvalidSettingException naming {@code backbone.onnx} for a missing file or a mismatch
     * @throws DataException naming the file and node for a graph the importer does not take
     */
    static Network importOnnx(ExperimentSettings s, RunData data, ProgressListener log) {
        if (s.backboneOnnx().isEmpty()) {
            return null;
        }
        Path f = Path.of(s.backboneOnnx());
        if (!Files.isRegularFile(f)) {
            throw new InvalidSettingException("backbone.onnx", f, "file not found (relative paths start from the "
                    + "folder you run waec in)");
        }
        OnnxImport.Imported i = OnnxImport.read(f);
        Network n = i.network();
        try {
            i.notes().forEach(note -> log.message("backbone.onnx: " + note));
            Shape in = n.inputShape();
            if (!s.input().equals("auto") && !PlanCheck.parsedInput(s).equals(in)) {
                throw new InvalidSettingException("backbone.input", s.input(), f + " takes " + in + "; use auto");
            }
            if (data != null && !data.test().sampleShape().equals(in)) {
                throw new InvalidSettingException("backbone.onnx", f, "takes images of " + in + " but the data's are "
                        + data.test().sampleShape() + " (" + data.description() + "); give data of that shape "
                        + "(data.kind = folder, data.folder.resize/crop) or export the model for the data's");
            }
            if (data != null && data.test().numClasses() != n.classes()) {
                throw new InvalidSettingException("backbone.onnx", f, "has " + n.classes() + " classes but the data "
                        + data.test().numClasses() + "; give data with the model's classes");
            }
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
    }

    /**
     * Returns an imported backbone to start from, or null (closing it) when a resume has the run's own copy.
     *
     * @param imported the imported network
     * @param folder the run folder
     * @param resume whether the run resumes
     * @return the network, or null
     */
    static Network unlessSaved(Network imported, RunFolder folder, boolean resume) {
        if (resume && Files.exists(folder.savedBackbone())) {
            imported.close();
            return null;
        }
        return imported;
    }

    /**
     * Returns a file's SHA-256, for provenance.
     *
     * @param file the file
     * @return the hex digest
     * @throws CompressionException if the file cannot be read
     */
    static String sha256(Path file) {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The trainer for one row: checkpointing into the row's folder unless the settings turn it off. */
    private static NetworkTrainer rowTrainer(NetworkTrainer trainer, ExperimentSettings s, RunFolder folder,
            String row, String scope) {
        return folder.rowTrainer(trainer, s.checkpoints(), row, scope, Duration.ofSeconds(s.checkpointSeconds()));
    }
}
