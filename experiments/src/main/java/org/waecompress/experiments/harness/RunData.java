package org.waecompress.experiments.harness;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.data.FashionMnist;
import org.waecompress.experiments.data.ImageFolderDataset;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * A run's training and test data.
 *
 * @param train the training images (possibly a subset)
 * @param test the test images (possibly a subset)
 * @param trainTotal how many training images the data set has
 * @param description what the data is, for tables and provenance
 */
public record RunData(ImageDataset train, ImageDataset test, int trainTotal, String description) {

    /**
     * Loads the data the settings name.
     *
     * @param s the settings
     * @return the data
     */
    public static RunData load(ExperimentSettings s) {
        ImageDataset train;
        ImageDataset test;
        String what;
        switch (s.dataKind()) {
            case FASHION_MNIST -> {
                FashionMnist.Options o = new FashionMnist.Options(true, true);
                train = FashionMnist.load(Path.of(s.dataDir()), FashionMnist.Split.TRAIN, o);
                test = FashionMnist.load(Path.of(s.dataDir()), FashionMnist.Split.TEST, o);
                what = "Fashion-MNIST padded to 32x32";
            }
            case SYNTHETIC -> {
                Shape shape = new Shape(s.syntheticChannels(), s.syntheticSize(), s.syntheticSize());
                int n = s.trainSize() > 0 ? s.trainSize() : 2000;
                int m = s.testSize() > 0 ? s.testSize() : 500;
                train = SyntheticImages.create(s.seed(), n, shape, s.syntheticClasses(), 0.1);
                test = SyntheticImages.create(s.seed() + 1, m, shape, s.syntheticClasses(), 0.1);
                what = "synthetic class patterns " + shape;
            }
            case FOLDER -> {
                Path root = Path.of(s.dataDir());
                train = ImageFolderDataset.open(root.resolve("train"), s.folderResize(), s.folderCrop());
                test = ImageFolderDataset.open(root.resolve("val"), s.folderResize(), s.folderCrop());
                if (!train.classNames().equals(test.classNames())) {
                    throw new InvalidSettingException("data.dir", root, "train/ and val/ have different class folders");
                }
                what = "image folder " + root;
            }
            default -> throw new IllegalStateException("data.kind " + s.dataKind() + " has no loader");
        }
        int total = train.size();
        if (s.trainSize() > 0 && s.trainSize() < train.size()) {
            train = train.head(s.trainSize());
        }
        if (s.testSize() > 0 && s.testSize() < test.size()) {
            test = test.head(s.testSize());
        }
        String desc = what + "; training on " + train.size() + (train.size() < total ? " of " + total : "")
                + " images, testing on " + test.size() + " images";
        return new RunData(train, test, total, desc);
    }
}
