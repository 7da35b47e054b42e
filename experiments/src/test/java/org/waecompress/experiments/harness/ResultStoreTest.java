package org.waecompress.experiments.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.CompressionException;

class ResultStoreTest {

    @TempDir
    Path dir;

    static ResultRow row(String id) {
        return new ResultRow(id, id, "net", id, 0.1, 0.01, 100, 10, 20, 2.5, 1, 4,
                List.of(new EngineTiming("onnxruntime", 1.5, 2.0, 3.0, 2.0, 100, null, null)), null, 1, null, null,
                Map.of(), "t", null);
    }

    @Test
    void truncatedLastLineIsDroppedAndRepaired() throws Exception {
        ResultStore s = new ResultStore(dir);
        s.append(row("backbone"));
        s.append(row("wae"));
        Files.writeString(s.file(), "{\"row\":\"resize\",\"label\":\"res", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        assertEquals(List.of("backbone", "wae"), s.read().stream().map(ResultRow::row).toList());
        s.repair();
        s.append(row("resize"));
        assertEquals(List.of("backbone", "wae", "resize"), s.read().stream().map(ResultRow::row).toList());
        assertEquals(3, Files.readAllLines(s.file()).size());
    }

    @Test
    void damagedMiddleLineIsAnError() throws Exception {
        ResultStore s = new ResultStore(dir);
        s.append(row("backbone"));
        Files.writeString(s.file(), "garbage{\n", StandardOpenOption.APPEND);
        s.append(row("wae"));
        assertThrows(CompressionException.class, s::read);
    }
}
