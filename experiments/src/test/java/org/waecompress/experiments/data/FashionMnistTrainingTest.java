package org.waecompress.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainResult;
import org.waecompress.spi.train.TrainSettings;

/**
 * The foundation's accuracy bar: the small VGG-16-BN trained by the shared trainer on a
 * 10,000-image Fashion-MNIST subset for 3 epochs reaches at least 82% top-1 on the 10,000 test
 * images. Needs Debian's dataset-fashion-mnist package (.ci/run installs it).
 */
@Tag("slow")
class FashionMnistTrainingTest {

    @Test
    void smallVggReaches82PercentInThreeEpochs() {
        assertTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST missing: apt-get install dataset-fashion-mnist (.ci/run does this)");
        FashionMnist.Options opts = new FashionMnist.Options(true, true);
        ImageDataset train = FashionMnist.load(FashionMnist.DEFAULT_DIR, FashionMnist.Split.TRAIN, opts).head(10_000);
        ImageDataset test = FashionMnist.load(FashionMnist.DEFAULT_DIR, FashionMnist.Split.TEST, opts);
        assertEquals(10_000, test.size());
        NetworkSpec spec = Backbones.create("vgg16-bn-small", test.sampleShape(), 10, 0.25);
        NetworkTrainer trainer = new NetworkTrainer(new ProgressListener() {
            @Override
            public void progress(org.waecompress.spi.train.ProgressEvent event) {}

            @Override
            public void message(String text) {
                System.out.println(text);
            }
        });
        TrainSettings s = TrainSettings.builder().epochs(3).batchSize(128).learningRate(0.05).seed(42).build();
        try (Network init = Network.random(spec, 10, 42)) {
            TrainResult r = trainer.train("fashion-mnist", init, train, s);
            try (Network trained = r.network()) {
                Accuracy acc = new Evaluator(null).evaluate("test", trained, test, 500);
                System.out.printf("small VGG-16-BN (w0.25), 10k images, 3 epochs: top-1 %.2f%% on %d test images%n",
                        100 * acc.top1(), acc.samples());
                assertTrue(acc.top1() >= 0.82, "top-1 accuracy " + acc.top1());
            }
        }
    }
}
