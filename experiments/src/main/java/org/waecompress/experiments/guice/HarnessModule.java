package org.waecompress.experiments.guice;

import com.google.inject.AbstractModule;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.spi.train.ProgressListener;

/** The harness's own bindings; the injector adds every discovered strategy plugin to these. */
public final class HarnessModule extends AbstractModule {

    private final ProgressListener progress;

    /**
     * Creates the module.
     *
     * @param progress where progress goes (the console, or a test's listener)
     */
    public HarnessModule(ProgressListener progress) {
        this.progress = progress == null ? ConsoleProgress.stderr() : progress;
    }

    @Override
    protected void configure() {
        bind(ProgressListener.class).toInstance(progress);
    }
}
