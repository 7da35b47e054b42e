package org.waecompress.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules of docs/architecture.md, checked on the compiled classes of every module with ArchUnit:
 * the module layering, no cycles between modules or between the packages of a module (its root package
 * included, the Spark executor too), and strategies that share code only through the SPI and
 * {@code baselines.common}.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        return Files.exists(p.resolve("compression-spi")) ? p : p.getParent();
    }

    @BeforeAll
    static void importClasses() {
        // production classes only: not test folders, not the modules' test jars (the plugin kit)
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
                .importPackages("org.waecompress");
    }

    @Test
    void theSpiDependsOnNoModuleAndNoEngine() {
        noClasses().that().resideInAPackage("org.waecompress.spi..").should().dependOnClassesThat()
                .resideInAnyPackage("org.waecompress.backbones..", "org.waecompress.wae..",
                        "org.waecompress.baselines..", "org.waecompress.experiments..", "ai.djl.pytorch..")
                .because("the SPI is what every module and plugin builds on (DJL's api only, no engine)")
                .check(classes);
    }

    @Test
    void backbonesDependOnlyOnTheSpi() {
        noClasses().that().resideInAPackage("org.waecompress.backbones..").should().dependOnClassesThat()
                .resideInAnyPackage("org.waecompress.wae..", "org.waecompress.baselines..",
                        "org.waecompress.experiments..")
                .check(classes);
    }

    @Test
    void strategyModulesImportNeitherEachOtherNorTheHarnessNorTheBackbones() {
        noClasses().that().resideInAPackage("org.waecompress.wae..").should().dependOnClassesThat()
                .resideInAnyPackage("org.waecompress.baselines..", "org.waecompress.experiments..",
                        "org.waecompress.backbones..")
                .check(classes);
        noClasses().that().resideInAPackage("org.waecompress.baselines..").should().dependOnClassesThat()
                .resideInAnyPackage("org.waecompress.wae..", "org.waecompress.experiments..",
                        "org.waecompress.backbones..")
                .check(classes);
    }

    @Test
    void theHarnessNeverImportsAStrategy() {
        noClasses().that().resideInAnyPackage("org.waecompress.experiments..", "org.waecompress.spark..").should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.waecompress.wae..", "org.waecompress.baselines..")
                .because("strategies reach the harness only through the SPI's registry")
                .check(classes);
    }

    @Test
    void strategiesShareCodeOnlyThroughCommon() {
        slices().matching("org.waecompress.baselines.(thinet|taylor|lowrank)..").should().notDependOnEachOther()
                .check(classes);
        noClasses().that().resideInAPackage("org.waecompress.baselines.common..").should().dependOnClassesThat()
                .resideInAnyPackage("org.waecompress.baselines.thinet..", "org.waecompress.baselines.taylor..",
                        "org.waecompress.baselines.lowrank..")
                .check(classes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spi", "backbones", "wae", "baselines", "experiments", "spark"})
    void noPackageCyclesInsideAModule(String module) {
        // backbones and wae-core are one package each today: nothing to check until they grow subpackages
        slices().assignedFrom(packagesOf("org.waecompress." + module)).should().beFreeOfCycles()
                .allowEmptyShould(true).check(classes);
    }

    @Test
    void noCyclesBetweenModules() {
        slices().assignedFrom(packagesOf("org.waecompress")).should().beFreeOfCycles().check(classes);
    }

    /**
     * One slice per first-level package under {@code root}, and one for the classes in {@code root} itself
     * (the SPI's {@code CompressionContext} and exceptions live there): ArchUnit's {@code matching("root.(*)..")}
     * leaves the root package out, so a cycle through it would go unchecked.
     */
    static SliceAssignment packagesOf(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String p = c.getPackageName();
                if (p.equals(root)) {
                    return SliceIdentifier.of(root + " (root package)");
                }
                if (!p.startsWith(root + ".")) {
                    return SliceIdentifier.ignore();
                }
                String rest = p.substring(root.length() + 1);
                int dot = rest.indexOf('.');
                return SliceIdentifier.of(root + "." + (dot < 0 ? rest : rest.substring(0, dot)));
            }

            @Override
            public String getDescription() {
                return "the packages of " + root + ", its root package included";
            }
        };
    }

    @Test
    void everyModuleIsImported() {
        for (String c : new String[] {"org.waecompress.spi.CompressionStrategy", "org.waecompress.backbones.Backbones",
                "org.waecompress.wae.WaeStrategy", "org.waecompress.baselines.thinet.ThiNetStrategy",
                "org.waecompress.experiments.harness.ExperimentRunner",
                org.waecompress.spark.SparkRowExecutor.class.getName()}) {
            org.junit.jupiter.api.Assertions.assertTrue(classes.contain(c), c + " was not imported: the rules "
                    + "would check nothing");
        }
    }
}
