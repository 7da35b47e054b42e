package org.waecompress.experiments.data;

import ai.djl.basicdataset.cv.classification.ImageFolder;
import ai.djl.modality.cv.transform.CenterCrop;
import ai.djl.modality.cv.transform.Normalize;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Record;
import ai.djl.translate.Pipeline;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.DataException;

/**
 * An ImageNet-style folder ({@code root/<class>/<image>}) read through DJL's {@link ImageFolder}:
 * classes are the sorted sub-folder names; images are decoded on demand, resized so the short side
 * is {@code resize} (aspect kept), centre-cropped to {@code crop} and normalised with ImageNet's mean and
 * deviation. Nothing is held in memory but the file list.
 */
public final class ImageFolderDataset implements ImageDataset {

    private final Path root;
    private final ImageFolder folder;
    private final int crop;
    private final List<String> classes;
    private final Pipeline pipeline;

    private ImageFolderDataset(Path root, ImageFolder folder, int crop, List<String> classes, Pipeline pipeline) {
        this.pipeline = pipeline;
        this.root = root;
        this.folder = folder;
        this.crop = crop;
        this.classes = List.copyOf(classes);
    }

    /**
     * Opens a folder.
     *
     * @param root the root folder
     * @param resize the short side after resizing (256 for ImageNet)
     * @param crop the centre crop size (224 for ImageNet)
     * @return the data set
     * @throws DataException if the folder is missing or holds no images
     */
    public static ImageFolderDataset open(Path root, int resize, int crop) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": image folder not found; expected root/<class>/<image> files");
        }
        // DJL applies a data set's transforms only in its own batch iterator; records fetched by
        // index are raw, so the pipeline is applied here.
        Pipeline pipeline = new Pipeline()
                .add(new ShortSideResize(resize))
                .add(new CenterCrop(crop, crop))
                .add(new ToTensor())
                .add(new Normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}));
        ImageFolder f = ImageFolder.builder().setRepositoryPath(root).setSampling(1, false).build();
        List<String> synset;
        try {
            f.prepare();
            synset = f.getSynset();
        } catch (IOException | TranslateException e) {
            throw new DataException(root + ": cannot read the image folder: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new DataException(root + ": no usable images (" + e.getMessage()
                    + "); expected root/<class>/<image>.jpg|png files");
        }
        if (f.size() == 0 || synset.isEmpty()) {
            throw new DataException(root + ": no images found; expected root/<class>/<image>.jpg|png files");
        }
        return new ImageFolderDataset(root, f, crop, synset, pipeline);
    }

    @Override
    public String name() {
        return "image folder " + root + " (" + size() + " images, " + crop + "x" + crop + ")";
    }

    @Override
    public int size() {
        return Math.toIntExact(folder.size());
    }

    @Override
    public Shape sampleShape() {
        return new Shape(3, crop, crop);
    }

    @Override
    public int numClasses() {
        return classes.size();
    }

    @Override
    public List<String> classNames() {
        return classes;
    }

    private Record record(NDManager m, int index) {
        try {
            return folder.get(m, index);
        } catch (IOException e) {
            throw new DataException(root + ": cannot decode image " + index + ": " + e.getMessage(), e);
        }
    }

    private NDArray image(Record r) {
        return pipeline.transform(new NDList(r.getData().head())).head();
    }

    private static int labelOf(Record r) {
        return (int) r.getLabels().head().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
    }

    @Override
    public int label(int index) {
        try (NDManager m = Devices.newManager()) {
            return labelOf(record(m, index));
        }
    }

    @Override
    public void copyImage(int index, float[] dst, int offset) {
        try (NDManager m = Devices.newManager()) {
            float[] v = image(record(m, index)).toFloatArray();
            System.arraycopy(v, 0, dst, offset, v.length);
        }
    }

    @Override
    public NDList batch(NDManager manager, int[] indices) {
        NDList images = new NDList(indices.length);
        float[] labels = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            Record r = record(manager, indices[i]);
            images.add(image(r));
            labels[i] = labelOf(r);
        }
        NDArray x = ai.djl.ndarray.NDArrays.stack(images);
        return new NDList(x, manager.create(labels));
    }
}
