package org.waecompress.spi.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.waecompress.spi.TestSpecs;
import org.waecompress.spi.error.InvalidSettingException;

class WidthScalingTest {

    @Test
    void quarterWidthScalesEveryLayerButTheClassifier() {
        NetworkSpec s = WidthScaling.scale(TestSpecs.smallCnn(3, 12, 7), 0.25);
        assertEquals(4, ((ConvSpec) s.node("c1")).out());
        assertEquals(4, ((BatchNormSpec) s.node("b1")).channels());
        assertEquals(4, ((ConvSpec) s.node("c2")).in());
        assertEquals(8, ((ConvSpec) s.node("c2")).out());
        assertEquals(8, ((LinearSpec) s.node("fc")).in());
        assertEquals(7, ((LinearSpec) s.node("fc")).out());
    }

    @Test
    void residualAndConcatStayConsistent() {
        NetworkSpec s = WidthScaling.scale(TestSpecs.allTypes(), 0.5);
        assertEquals(4, ((ConvSpec) s.node("stem")).out());
        assertEquals(8, ((ConvSpec) s.node("down.conv")).out());
        assertEquals(8, ((ConvSpec) s.node("down.proj.0")).out());
        assertEquals(5, s.outputShape().get(0));
    }

    @Test
    void roundingRule() {
        assertEquals(16, WidthScaling.scaled(64, 0.25));
        assertEquals(1, WidthScaling.scaled(3, 0.1));
        assertEquals(2, WidthScaling.scaled(3, 0.5));
        assertThrows(InvalidSettingException.class, () -> WidthScaling.scale(TestSpecs.allTypes(), 0));
    }
}
