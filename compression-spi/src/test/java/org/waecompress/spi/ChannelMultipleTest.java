package org.waecompress.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.spec.ChannelMultiple;

class ChannelMultipleTest {

    /** Known answers: the nearest multiple, down as well as up, at least one multiple, at most the layer. */
    @Test
    void aCountRoundsToTheNearestMultipleWithinOneMultipleAndTheLayer() {
        assertEquals(45, ChannelMultiple.round(44.8, 64, 1), "1: plain rounding");
        assertEquals(48, ChannelMultiple.round(44.8, 64, 8), "44.8 -> 48 (up)");
        assertEquals(40, ChannelMultiple.round(43.9, 64, 8), "43.9 -> 40 (down)");
        assertEquals(16, ChannelMultiple.round(22.4, 32, 16), "22.4 -> 16");
        assertEquals(32, ChannelMultiple.round(24.1, 32, 16), "24.1 -> 32");
        assertEquals(8, ChannelMultiple.round(1.2, 64, 8), "never below one multiple");
        assertEquals(60, ChannelMultiple.round(59.9, 60, 16), "never above the layer (64 > 60)");
        assertEquals(5, ChannelMultiple.round(2, 5, 8), "a layer narrower than the multiple keeps its count");
        assertEquals(1, ChannelMultiple.round(0.2, 64, 1), "at least one channel");
    }

    @Test
    void aMultipleAtLeastTheWidestLayerIsRefusedNamingTheKey() {
        ChannelMultiple.check(16, 64, "strategy.thinet.channelMultiple", "net");
        ChannelMultiple.check(1, 1, "strategy.thinet.channelMultiple", "net");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ChannelMultiple.check(64, 64, "strategy.thinet.channelMultiple", "net"));
        assertEquals("strategy.thinet.channelMultiple = 64: is at least as large as the widest layer of net it would "
                + "round (64 channels), so nothing could be pruned; use a smaller multiple (or 1 for none)",
                e.getMessage());
        InvalidSettingException z = assertThrows(InvalidSettingException.class,
                () -> ChannelMultiple.setting(1, "doc").parse("strategy.x.channelMultiple", "0"));
        assertEquals("strategy.x.channelMultiple = 0: must be an integer in [1, 1024] or auto", z.getMessage());
    }
}
