package org.waecompress.spi.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @Test
    void aKilledWritersLeftoversAreRemovedAndNothingElse(@TempDir Path dir) throws Exception {
        AtomicFiles.writeString(dir.resolve("table.md"), "done\n");
        Files.createDirectories(dir.resolve("networks"));
        // what a writer killed between the temporary file and the move leaves behind
        Path left = Files.createTempFile(dir, ".table.csv", ".tmp");
        Path deeper = Files.createTempFile(dir.resolve("networks"), ".wae.params", ".tmp");
        Path visible = Files.writeString(dir.resolve("notes.tmp"), "a user's file");
        assertEquals(2, AtomicFiles.removeLeftovers(dir));
        assertFalse(Files.exists(left) || Files.exists(deeper));
        assertTrue(Files.exists(visible) && Files.exists(dir.resolve("table.md")));
        assertEquals(0, AtomicFiles.removeLeftovers(dir.resolve("absent")));
    }
}
