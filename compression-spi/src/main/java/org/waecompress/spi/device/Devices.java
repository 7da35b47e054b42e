package org.waecompress.spi.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * The devices a run computes on. A run resolves its {@code device} setting once ({@link #resolve}) and
 * makes it current ({@link #use}); every module then makes its arrays with {@link #newManager()}, so a
 * network, its batches and its gradients are always on one device. Training with several devices splits
 * each batch across them ({@code NetworkTrainer}); evaluation, compression and latency use the first.
 * Before {@link #use} is called (tests, tools), the engine's default device is used, as DJL does.
 */
public final class Devices {

    private static volatile List<Device> current;

    private Devices() {}

    /**
     * Resolves a {@code device} setting against the GPUs the engine sees.
     *
     * @param value {@code auto} (every GPU the engine sees, else the CPU), {@code cpu}, {@code gpu} (every
     *     GPU), {@code gpu:N} or {@code gpu:N,M,...} (those GPUs)
     * @param gpuCount the GPUs the engine sees
     * @return the devices, the first one primary
     * @throws InvalidSettingException naming {@code device} for another value, a GPU that is not there, or a
     *     GPU asked for on an engine that sees none
     */
    public static List<Device> resolve(String value, int gpuCount) {
        String v = value == null ? "" : value.trim();
        if (v.equals("auto")) {
            return gpuCount > 0 ? gpus(gpuCount) : List.of(Device.cpu());
        }
        if (v.equals("cpu")) {
            return List.of(Device.cpu());
        }
        if (v.equals("gpu") || v.startsWith("gpu:")) {
            if (gpuCount == 0) {
                throw new InvalidSettingException("device", value, "the PyTorch engine sees no GPU (the default "
                        + "build's native library is CPU-only: build with -Pcu118 on a machine with an NVIDIA "
                        + "driver, see README \"GPU\"; or use auto or cpu)");
            }
            if (v.equals("gpu")) {
                return gpus(gpuCount);
            }
            Set<Integer> ids = new LinkedHashSet<>();
            for (String part : v.substring(4).split(",")) {
                int id;
                try {
                    id = Integer.parseInt(part.trim());
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException("device", value, "expected gpu:N or gpu:N,M with GPU "
                            + "numbers, e.g. gpu:0,1");
                }
                if (id < 0 || id >= gpuCount) {
                    throw new InvalidSettingException("device", value, "GPU " + id + " is not there: the engine "
                            + "sees " + gpuCount + " GPU" + (gpuCount == 1 ? "" : "s") + " (0-" + (gpuCount - 1)
                            + ")");
                }
                if (!ids.add(id)) {
                    throw new InvalidSettingException("device", value, "names GPU " + id + " twice");
                }
            }
            return ids.stream().map(Device::gpu).toList();
        }
        throw new InvalidSettingException("device", value, "expected auto, cpu, gpu, gpu:N or gpu:N,M");
    }

    private static List<Device> gpus(int count) {
        List<Device> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Device.gpu(i));
        }
        return out;
    }

    /**
     * Makes devices current for this process.
     *
     * @param devices the devices, the first one primary (null: the engine's default again)
     */
    public static void use(List<Device> devices) {
        if (devices != null && devices.isEmpty()) {
            throw new IllegalArgumentException("at least one device");
        }
        current = devices == null ? null : List.copyOf(devices);
    }

    /**
     * Returns the current devices.
     *
     * @return the devices, the first one primary
     */
    public static List<Device> all() {
        List<Device> d = current;
        return d != null ? d : List.of(Engine.getInstance().defaultDevice());
    }

    /**
     * Returns the primary device: where networks are built, evaluated, compressed and timed.
     *
     * @return the device
     */
    public static Device primary() {
        return all().get(0);
    }

    /**
     * Makes a manager on the primary device.
     *
     * @return a new base manager, for the caller to close
     */
    public static NDManager newManager() {
        return NDManager.newBaseManager(primary());
    }

    /**
     * Tells whether the primary device is a GPU (timings must then wait for its work before reading the
     * clock).
     *
     * @return true on a GPU
     */
    public static boolean onGpu() {
        return primary().isGpu();
    }
}
