package org.waecompress.spi.spec;

import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.setting.Setting;

/**
 * Channel counts the runtime likes: the {@code channelMultiple} setting every strategy that sets channel
 * counts or ranks declares, and the rounding it applies. ONNX Runtime's and oneDNN's convolution kernels
 * work on blocks of 8 or 16 channels (AVX2, AVX-512); a layer pruned to 11 or 45 channels pays for the
 * padding to the next block and a reorder, so fewer MACs can take more time (issue 30). A count rounds to
 * the nearest multiple of the setting (down as well as up, so the budget is kept on average), never below
 * one multiple and never above the layer's own count.
 */
public final class ChannelMultiple {

    /** The setting's name. */
    public static final String NAME = "channelMultiple";

    private ChannelMultiple() {}

    /**
     * Declares the setting.
     *
     * @param dflt the default multiple
     * @param doc what the strategy rounds
     * @return the setting, an integer in [1, 1024]
     */
    public static Setting<Integer> setting(int dflt, String doc) {
        return Setting.integer(NAME, dflt, doc).atLeast(1).atMost(1024);
    }

    /**
     * Rounds a count to the nearest multiple: {@code round(exact / multiple) * multiple}, at least one
     * multiple and at most {@code full}. A layer with fewer channels than the multiple keeps them all
     * (it cannot hold one multiple).
     *
     * @param exact the count the strategy's ratio asks for (not rounded)
     * @param full the layer's count before compression, the most it may keep
     * @param multiple the multiple, at least 1
     * @return the rounded count, in [1, full]
     */
    public static int round(double exact, int full, int multiple) {
        if (multiple <= 1) {
            return (int) Math.max(1, Math.min(full, Math.round(exact)));
        }
        if (multiple >= full) {
            return full;
        }
        long k = Math.max(1, Math.round(exact / multiple));
        return (int) Math.min(full, k * multiple);
    }

    /**
     * Refuses a multiple larger than every layer a strategy would round: it could prune nothing.
     *
     * @param multiple the multiple
     * @param widest the widest such layer's count
     * @param key the setting's full key
     * @param network the network's name
     * @throws InvalidSettingException naming the key when the multiple exceeds the widest layer
     */
    public static void check(int multiple, int widest, String key, String network) {
        if (multiple > 1 && multiple >= widest) {
            throw new InvalidSettingException(key, multiple, "is at least as large as the widest layer of " + network
                    + " it would round (" + widest + " channels), so nothing could be pruned; use a smaller multiple "
                    + "(or 1 for none)");
        }
    }
}
