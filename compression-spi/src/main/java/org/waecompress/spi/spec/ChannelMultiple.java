package org.waecompress.spi.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.setting.Setting;

/**
 * Channel counts the runtime likes: the {@code channelMultiple} setting every strategy that sets channel
 * counts or ranks declares, and the rounding it applies. ONNX Runtime's and oneDNN's convolution kernels
 * work on blocks of 8 or 16 channels (AVX2, AVX-512); a layer pruned to 11 or 45 channels pays for the
 * padding to the next block and a reorder, so fewer MACs can take more time (issue 30). A count rounds to
 * the nearest multiple of the setting (down as well as up, so the budget is kept on average), never below
 * one multiple and never above the layer's own count.
 *
 * <p>{@code auto} ({@link #AUTO}) takes the block of this CPU's kernels ({@link #runtimeBlock}: 16 with
 * AVX-512, 8 with AVX2 or AVX, 1 otherwise). ThiNet and Taylor resolve it per network ({@link #resolve}: halved
 * until it is narrower than the network's widest prunable layer, so a layer not wider than the block keeps its
 * count, as with a number); {@link #round} given {@code auto} resolves it per layer instead ({@link
 * #forLayer}), for the counts of low-rank and WAE. It is never refused.
 */
public final class ChannelMultiple {

    /** The setting's name. */
    public static final String NAME = "channelMultiple";

    /** The value {@code auto} parses to: the runtime's block, per layer ({@link #forLayer}). */
    public static final int AUTO = 0;

    private static volatile int block = -1;

    private ChannelMultiple() {}

    /**
     * Returns the channel block of this CPU's convolution kernels in ONNX Runtime and oneDNN, from the
     * vector extensions {@code /proc/cpuinfo} reports: 16 with AVX-512, 8 with AVX2 or AVX, 1 otherwise (or
     * where the file cannot be read).
     *
     * @return 16, 8 or 1
     */
    public static int runtimeBlock() {
        if (block < 0) {
            int b = 1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("flags")) {
                        List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                        b = flags.contains("avx512f") ? 16 : flags.contains("avx2") || flags.contains("avx") ? 8 : 1;
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                b = 1;
            }
            block = b;
        }
        return block;
    }

    /**
     * Returns the multiple a layer of {@code full} channels rounds to: the setting itself, or for {@code auto}
     * the runtime's block, halved until it is narrower than the layer.
     *
     * @param multiple the setting's value ({@link #AUTO} or at least 1)
     * @param full the layer's count
     * @param runtimeBlock the block {@code auto} starts from ({@link #runtimeBlock()})
     * @return the multiple, at least 1
     */
    public static int forLayer(int multiple, int full, int runtimeBlock) {
        if (multiple != AUTO) {
            return multiple;
        }
        int m = Math.max(1, runtimeBlock);
        while (m > 1 && m >= full) {
            m /= 2;
        }
        return m;
    }

    /**
     * Resolves the setting for one network: {@code auto} becomes the runtime's block, halved until it is
     * narrower than the widest layer the strategy rounds (so a network of narrow layers still prunes, and a
     * layer not wider than the block keeps its count, as with a number); a number is checked ({@link #check})
     * and returned.
     *
     * @param multiple the setting's value
     * @param widest the widest layer the strategy would round
     * @param runtimeBlock the block {@code auto} starts from ({@link #runtimeBlock()})
     * @param key the setting's full key
     * @param network the network's name
     * @return the multiple to round with, at least 1
     * @throws InvalidSettingException naming the key for a number at least as wide as every layer
     */
    public static int resolve(int multiple, int widest, int runtimeBlock, String key, String network) {
        if (multiple != AUTO) {
            check(multiple, widest, key, network);
            return multiple;
        }
        int m = Math.max(1, runtimeBlock);
        while (m > 1 && m >= widest) {
            m /= 2;
        }
        return m;
    }

    /**
     * Says whether a value rounds anything ({@code auto} or a multiple above 1).
     *
     * @param multiple the setting's value
     * @return whether counts are rounded
     */
    public static boolean rounds(int multiple) {
        return multiple != 1;
    }

    /**
     * Declares the setting.
     *
     * @param dflt the default multiple
     * @param doc what the strategy rounds
     * @return the setting, an integer in [1, 1024]
     */
    public static Setting<Integer> setting(int dflt, String doc) {
        return Setting.integer(NAME, dflt, doc).atLeast(1).atMost(1024).orWord("auto", AUTO);
    }

    /**
     * Rounds a count to the nearest multiple: {@code round(exact / multiple) * multiple}, at least one
     * multiple and at most {@code full}. A layer with fewer channels than the multiple keeps them all
     * (it cannot hold one multiple).
     *
     * @param exact the count the strategy's ratio asks for (not rounded)
     * @param full the layer's count before compression, the most it may keep
     * @param multiple the multiple, at least 1, or {@link #AUTO}
     * @return the rounded count, in [1, full]
     */
    public static int round(double exact, int full, int multiple) {
        multiple = forLayer(multiple, full, multiple == AUTO ? runtimeBlock() : 1);
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
     * Refuses a multiple larger than every layer a strategy would round: it could prune nothing ({@code auto}
     * never is).
     *
     * @param multiple the multiple
     * @param widest the widest such layer's count
     * @param key the setting's full key
     * @param network the network's name
     * @throws InvalidSettingException naming the key when the multiple exceeds the widest layer
     */
    public static void check(int multiple, int widest, String key, String network) {
        if (multiple != AUTO && multiple > 1 && multiple >= widest) {
            throw new InvalidSettingException(key, multiple, "is at least as large as the widest layer of " + network
                    + " it would round (" + widest + " channels), so nothing could be pruned; use a smaller multiple "
                    + "(or 1 for none)");
        }
    }
}
