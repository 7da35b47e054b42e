package org.waecompress.experiments.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The presets shipped on the class path, found by listing its {@code presets/} folder (in the experiments
 * jar or its classes folder): a preset is a {@code presets/NAME.properties} file, and adding one is adding the
 * file.
 */
public final class Presets {

    private static volatile List<String> names;

    private Presets() {}

    /**
     * Returns the presets' names.
     *
     * @return the names, sorted
     */
    public static List<String> names() {
        if (names == null) {
            names = list();
        }
        return names;
    }

    /**
     * Says whether a preset of that name is shipped.
     *
     * @param name the name
     * @return whether {@code presets/NAME.properties} is on the class path
     */
    public static boolean exists(String name) {
        return names().contains(name);
    }

    private static List<String> list() {
        URL url = Presets.class.getResource("/presets/");
        if (url == null) {
            throw new IllegalStateException("no presets/ folder on the class path: the experiments jar is incomplete");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                return names(fs.provider().getPath(uri));
            }
            return names(Path.of(uri));
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the presets on the class path (" + url + "): " + e, e);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".properties"))
                    .map(n -> n.substring(0, n.length() - ".properties".length())).sorted().toList();
        }
    }
}
