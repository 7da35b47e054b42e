package org.waecompress.experiments.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MachineTest {

    @Test
    void cpuDescriptionNamesFamilyModelAndWidestVectorExtension() {
        List<String> milan = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25",
                "model\t\t: 1", "model name\t: AMD EPYC", "flags\t\t: fpu sse sse2 avx fma avx2 bmi2", "",
                "processor\t: 1", "model name\t: something else", "flags\t\t: avx512f");
        assertEquals("AMD EPYC (family 25, model 1; AVX2, no VNNI)", Machine.cpuModel(milan));
        List<String> genoa = List.of("cpu family\t: 25", "model\t\t: 17", "model name\t: AMD EPYC 9R14",
                "flags\t\t: avx avx2 avx512f avx512bw avx512_vnni avx512_bf16");
        assertEquals("AMD EPYC 9R14 (family 25, model 17; AVX-512, AVX512-VNNI, AVX512-BF16)",
                Machine.cpuModel(genoa));
        List<String> sapphire = List.of("model name\t: Intel Xeon", "flags\t\t: avx2 avx512f avx512_vnni amx_int8");
        assertEquals("Intel Xeon (AVX-512, AVX512-VNNI, AMX-INT8)", Machine.cpuModel(sapphire));
        // an ARM cpuinfo has no model name line per processor in this form
        assertEquals("unknown", Machine.cpuModel(List.of("processor\t: 0", "Features\t: fp asimd")));
        assertEquals("Some CPU", Machine.cpuModel(List.of("model name\t: Some CPU")));
    }
}
