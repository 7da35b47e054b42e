package org.waecompress.experiments.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of a plan small enough for a test to run end to end in seconds: ResNet-20 at a quarter of
 * its width on 96 synthetic 16x16 images of 4 classes, one epoch each, two timed runs, no ONNX files and no
 * follow-up plan. Callers add their strategies and changes ({@code --set} options later on the line win).
 */
public final class TinyPlan {

    private TinyPlan() {}

    /**
     * Returns {@code waec run} arguments for the tiny plan.
     *
     * @param out the run folder
     * @param more further arguments, appended
     * @return the arguments, starting with {@code run}
     */
    public static List<String> args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("run", "--out", out.toString(),
                "--set", "experiment.name=tiny", "--set", "backbone.name=resnet20", "--set", "backbone.width=0.25",
                "--set", "data.kind=synthetic", "--set", "data.synthetic.size=16", "--set", "data.synthetic.classes=4",
                "--set", "data.trainSize=96", "--set", "data.testSize=32", "--set", "train.epochs=1",
                "--set", "train.batchSize=32", "--set", "finetune.epochs=1", "--set", "finetune.batchSize=32",
                "--set", "latency.warmup=0", "--set", "latency.runs=2", "--set", "latency.throughputBatch=2",
                "--set", "output.onnx=false", "--set", "experiment.then="));
        a.addAll(Arrays.asList(more));
        return a;
    }
}
