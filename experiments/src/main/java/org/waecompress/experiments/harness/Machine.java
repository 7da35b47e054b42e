package org.waecompress.experiments.harness;

import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.waecompress.spi.device.Devices;

/**
 * The machine a run measures on, as provenance and every speed table name it: the CPU (model, family,
 * vector and int8 extensions), the devices and GPU driver, and the commit the code was built from.
 */
public final class Machine {

    private Machine() {}

    /**
     * Describes where the run computes: the devices in use, the GPUs the engine sees, and on a GPU machine the
     * CUDA runtime and the NVIDIA driver versions.
     *
     * @return the description
     */
    static JsonObject devices() {
        JsonObject d = new JsonObject();
        JsonArray used = new JsonArray();
        Devices.all().forEach(x -> used.add(x.toString()));
        d.add("used", used);
        int gpus = Engine.getInstance().getGpuCount();
        d.addProperty("gpusSeen", gpus);
        d.addProperty("cuda", gpus > 0 ? CudaUtils.getCudaVersionString() : "none");
        d.addProperty("nvidiaDriver", nvidiaDriver(Path.of("/proc/driver/nvidia/version")));
        return d;
    }

    /**
     * Reads the NVIDIA kernel driver's version from its {@code /proc} file ("NVRM version: NVIDIA UNIX x86_64
     * Kernel Module  535.104.05 ...").
     *
     * @param file the file
     * @return the version, or {@code none} without the driver
     */
    static String nvidiaDriver(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kernel Module\\s+(\\d+[.\\d]*)")
                        .matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
            return "unknown";
        } catch (IOException e) {
            return "none";
        }
    }

    /**
     * Returns the CPU's model name from {@code /proc/cpuinfo}, with its family and model numbers and
     * the widest vector extension it reports and the extensions int8 kernels use (VNNI, AMX; "no VNNI" when
     * neither), e.g. "AMD EPYC (family 25, model 1; AVX2, no VNNI)". Latency
     * ratios depend on them: the thin convolutions of WAE and the wide ones of VGG gain differently
     * from AVX-512 (docs/wae.md).
     *
     * @return the description, or "unknown"
     */
    public static String cpuModel() {
        try {
            return cpuModel(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Describes the first processor of a {@code /proc/cpuinfo} text.
     *
     * @param lines the file's lines
     * @return the description, or "unknown" without a model name
     */
    static String cpuModel(List<String> lines) {
        Map<String, String> first = new LinkedHashMap<>();
        for (String l : lines) {
            if (l.isBlank() && !first.isEmpty()) {
                break;
            }
            int colon = l.indexOf(':');
            if (colon > 0) {
                first.putIfAbsent(l.substring(0, colon).trim(), l.substring(colon + 1).trim());
            }
        }
        String name = first.get("model name");
        if (name == null) {
            return "unknown";
        }
        List<String> details = new ArrayList<>();
        if (first.containsKey("cpu family") && first.containsKey("model")) {
            details.add("family " + first.get("cpu family") + ", model " + first.get("model"));
        }
        Set<String> flags = Set.of(first.getOrDefault("flags", "").split("\\s+"));
        String simd = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2"
                : flags.contains("avx") ? "AVX" : null;
        if (simd != null) {
            // what decides int8 speed: without VNNI (or AMX), int8 kernels can be slower than float ones
            List<String> isa = new ArrayList<>(List.of(simd));
            if (flags.contains("avx512_vnni")) {
                isa.add("AVX512-VNNI");
            }
            if (flags.contains("avx_vnni")) {
                isa.add("AVX-VNNI");
            }
            if (flags.contains("avx512_bf16")) {
                isa.add("AVX512-BF16");
            }
            if (flags.contains("amx_int8")) {
                isa.add("AMX-INT8");
            }
            if (!flags.contains("avx512_vnni") && !flags.contains("avx_vnni") && !flags.contains("amx_int8")) {
                isa.add("no VNNI");
            }
            details.add(String.join(", ", isa));
        }
        return details.isEmpty() ? name : name + " (" + String.join("; ", details) + ")";
    }

    /**
     * Returns the checked-out commit of the git repository this code was built in (found from the
     * location of its classes, not from the user's working folder), read from {@code .git} without
     * running git.
     *
     * @return the commit id, or "unknown"
     */
    public static String gitCommit() {
        try {
            Path dir = Path.of(Machine.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
            while (dir != null && !Files.isDirectory(dir.resolve(".git"))) {
                dir = dir.getParent();
            }
            if (dir == null) {
                return "unknown";
            }
            String head = Files.readString(dir.resolve(".git/HEAD")).trim();
            if (head.startsWith("ref: ")) {
                Path ref = dir.resolve(".git").resolve(head.substring(5));
                if (Files.exists(ref)) {
                    return Files.readString(ref).trim();
                }
                for (String l : Files.readAllLines(dir.resolve(".git/packed-refs"))) {
                    if (l.endsWith(head.substring(5))) {
                        return l.substring(0, l.indexOf(' '));
                    }
                }
                return "unknown";
            }
            return head;
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return "unknown";
        }
    }
}
