package org.waecompress.spi.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.error.InvalidSettingException;

class DevicesTest {

    @AfterEach
    void engineDefaultAgain() {
        Devices.use(null);
    }

    @Test
    void autoTakesEveryGpuTheEngineSeesElseTheCpu() {
        assertEquals(List.of(Device.cpu()), Devices.resolve("auto", 0));
        assertEquals(List.of(Device.gpu(0), Device.gpu(1)), Devices.resolve("auto", 2));
        assertEquals(List.of(Device.cpu()), Devices.resolve("cpu", 4));
        assertEquals(List.of(Device.gpu(0), Device.gpu(1), Device.gpu(2)), Devices.resolve("gpu", 3));
        assertEquals(List.of(Device.gpu(2)), Devices.resolve("gpu:2", 3));
        assertEquals(List.of(Device.gpu(1), Device.gpu(0)), Devices.resolve("gpu:1, 0", 2));
    }

    @Test
    void aGpuThatIsNotThereIsOneLineNamingTheSetting() {
        InvalidSettingException none = assertThrows(InvalidSettingException.class, () -> Devices.resolve("gpu", 0));
        assertTrue(none.getMessage().startsWith("device = gpu: the PyTorch engine sees no GPU"), none.getMessage());
        assertTrue(none.getMessage().contains("-Pcu118"), none.getMessage());
        assertEquals("device = gpu:2: GPU 2 is not there: the engine sees 2 GPUs (0-1)",
                assertThrows(InvalidSettingException.class, () -> Devices.resolve("gpu:2", 2)).getMessage());
        assertEquals("device = gpu:0,0: names GPU 0 twice",
                assertThrows(InvalidSettingException.class, () -> Devices.resolve("gpu:0,0", 2)).getMessage());
        assertEquals("device = gpu:x: expected gpu:N or gpu:N,M with GPU numbers, e.g. gpu:0,1",
                assertThrows(InvalidSettingException.class, () -> Devices.resolve("gpu:x", 2)).getMessage());
        assertEquals("device = tpu: expected auto, cpu, gpu, gpu:N or gpu:N,M",
                assertThrows(InvalidSettingException.class, () -> Devices.resolve("tpu", 2)).getMessage());
        assertEquals(1, none.getMessage().lines().count());
    }

    @Test
    void managersAreMadeOnThePrimaryDevice() {
        Devices.use(List.of(Device.cpu()));
        try (var m = Devices.newManager()) {
            assertEquals(Device.cpu(), m.getDevice());
        }
        assertEquals(List.of(Device.cpu()), Devices.all());
        assertThrows(IllegalArgumentException.class, () -> Devices.use(List.of()));
    }
}
