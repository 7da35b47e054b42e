package org.waecompress.wae;

/**
 * Architecture choices of a WAE network.
 *
 * @param encoderChannels width of the three full-resolution encoder convolutions (the paper: 16)
 * @param splitNorm whether I_L and I_H pass a batch-norm without affine parameters before the
 *     classifiers, as in the released model
 * @param highWidth width factor of the high-frequency branch relative to the backbone (the paper:
 *     1/4)
 * @param highBranch whether there is a high-frequency branch at all (false: Table 3's I_L-only
 *     ablation)
 * @param lowHeadWidth hidden width of a fully connected low head; 0 reuses the backbone's own
 *     classifier layers, -1 picks automatically (1024 for backbones with a fully connected
 *     classifier, as the released VGG16 model; the backbone's classifier otherwise)
 * @param fusionHeadWidth the same for the fusion head (automatic: 2048)
 * @param decoderChannels width of the decoder's convolutions (the paper: 16)
 * @param highChannelMultiple the high branch's scaled widths round to the nearest multiple of it (1: none)
 */
public record WaeArchitectureOptions(int encoderChannels, boolean splitNorm, double highWidth, boolean highBranch,
        int lowHeadWidth, int fusionHeadWidth, int decoderChannels, int highChannelMultiple) {

    /**
     * Options whose high branch widths are not rounded.
     *
     * @param encoderChannels the encoder's width
     * @param splitNorm whether I_L and I_H are batch-normalised
     * @param highWidth the high branch's width factor
     * @param highBranch whether there is a high branch
     * @param lowHeadWidth the low head's hidden width
     * @param fusionHeadWidth the fusion head's hidden width
     * @param decoderChannels the decoder's width
     */
    public WaeArchitectureOptions(int encoderChannels, boolean splitNorm, double highWidth, boolean highBranch,
            int lowHeadWidth, int fusionHeadWidth, int decoderChannels) {
        this(encoderChannels, splitNorm, highWidth, highBranch, lowHeadWidth, fusionHeadWidth, decoderChannels, 1);
    }

    /**
     * Returns the paper's choices (the released VGG16 model's heads for fully connected backbones).
     *
     * @return the defaults
     */
    public static WaeArchitectureOptions paper() {
        return new WaeArchitectureOptions(16, true, 0.25, true, -1, -1, 16);
    }
}
