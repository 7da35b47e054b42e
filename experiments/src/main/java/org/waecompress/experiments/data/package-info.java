/** Real data sets: Fashion-MNIST from its IDX files and ImageNet-style image folders. */
package org.waecompress.experiments.data;
