package org.waecompress.experiments.config;

/** The data a plan trains and tests on ({@code data.kind}). */
public enum DataKind {
    /** Fashion-MNIST's IDX files in {@code data.dir}. */
    FASHION_MNIST,
    /** Synthetic images, made from the seed. */
    SYNTHETIC,
    /** Image folders: {@code data.dir/train/CLASS/} and {@code data.dir/val/CLASS/}. */
    FOLDER
}
