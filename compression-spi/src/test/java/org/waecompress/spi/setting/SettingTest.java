package org.waecompress.spi.setting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.waecompress.spi.error.InvalidSettingException;

class SettingTest {

    private static String error(Setting<?> s, String value) {
        return assertThrows(InvalidSettingException.class, () -> s.parse("strategy.t." + s.name(), value)).getMessage();
    }

    @Test
    void boundsAreCheckedAtTheirEdges() {
        Setting<Double> open = Setting.real("r", 0.5, "doc").above(0).below(1);
        assertEquals(1e-9, open.parse("k", "1e-9"));
        assertEquals("strategy.t.r = 0: must be a number in (0, 1)", error(open, "0"));
        assertEquals("strategy.t.r = 1: must be a number in (0, 1)", error(open, "1"));
        Setting<Double> closed = Setting.real("r", 0.5, "doc").atLeast(0).atMost(1);
        assertEquals(0.0, closed.parse("k", "0"));
        assertEquals(1.0, closed.parse("k", "1"));
        assertEquals("strategy.t.r = 1.0001: must be a number in [0, 1]", error(closed, "1.0001"));
        assertEquals("strategy.t.r = NaN: must be a number in [0, 1]", error(closed, "NaN"));
        Setting<Integer> i = Setting.integer("n", 3, "doc").atLeast(1);
        assertEquals(1, i.parse("k", "1"));
        assertEquals("strategy.t.n = 0: must be an integer >= 1", error(i, "0"));
        assertEquals("strategy.t.n = 1.5: must be an integer >= 1", error(i, "1.5"));
        assertEquals("strategy.t.n = 99999999999: must be an integer of at most 2147483647 and >= 1",
                error(i, "99999999999"));
        assertEquals("a number > 1", Setting.real("t", 2, "doc").above(1).allowed());
        assertEquals("an integer <= 4", Setting.integer("t", 2, "doc").atMost(4).allowed());
    }

    @Test
    void choicesFlagsAndText() {
        Setting<String> c = Setting.choice("m", "mean", "doc", "mean", "sum");
        assertEquals("sum", c.parse("k", " sum "));
        assertEquals("strategy.t.m = Sum: must be one of mean, sum", error(c, "Sum"));
        Setting<Boolean> f = Setting.flag("f", true, "doc");
        assertEquals(false, f.parse("k", "FALSE"));
        assertEquals("strategy.t.f = yes: must be true or false", error(f, "yes"));
        assertEquals("a,b", Setting.text("g", "inner", "doc").parse("k", "a,b"));
    }

    @Test
    void declarationsRefuseDefaultsTheyWouldRejectAndBadNames() {
        assertThrows(IllegalArgumentException.class, () -> Setting.real("r", 2, "doc").atMost(1));
        assertThrows(IllegalArgumentException.class, () -> Setting.choice("m", "max", "doc", "mean", "sum"));
        assertThrows(IllegalArgumentException.class, () -> Setting.integer("bad name", 1, "doc"));
        assertThrows(IllegalStateException.class, () -> Setting.flag("f", true, "doc").atLeast(0));
        Setting<Double> v = Setting.real("r", 0.5, "doc").above(0).below(1).withDefault("variant.x.r", "0.3");
        assertEquals(0.3, v.defaultValue());
        assertEquals("0.3", v.defaultText());
        assertEquals("variant.x.r = 1: must be a number in (0, 1)", assertThrows(InvalidSettingException.class,
                () -> Setting.real("r", 0.5, "doc").above(0).below(1).withDefault("variant.x.r", "1")).getMessage());
    }

    enum Colour { DARK_RED, BLUE }

    @Test
    void anEnumChoiceParsesToItsConstantAndListsItsWords() {
        Setting<Colour> c = Setting.choice("colour", Colour.DARK_RED, "a colour");
        assertEquals(Colour.BLUE, c.parse("k", "blue"));
        assertEquals(Colour.DARK_RED, c.parse("k", " dark-red "));
        assertEquals("dark-red", c.defaultText());
        assertEquals("one of dark-red, blue", c.allowed());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> c.parse("k", "DARK_RED"));
        assertEquals("k = DARK_RED: must be one of dark-red, blue", e.getMessage());
        assertEquals(Colour.BLUE, c.withDefault("variant.x.colour", "blue").defaultValue());
        assertEquals("auto or CxHxW", Setting.text("input", "auto", "the input").allowing("auto or CxHxW").allowed());
    }
}
