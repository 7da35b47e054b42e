package org.waecompress.wae;

/**
 * The lifting constants of the one-level CDF 9/7 discrete wavelet transform (the JPEG 2000 lossy
 * wavelet), which {@link DwtNode} computes with tensor operations (whole-point symmetric extension at the
 * borders; its plain-Java reference and inverse are in the tests, {@code Cdf97Reference}).
 *
 * <p>Lifting steps on a signal split into even samples {@code e} and odd samples {@code o}:
 * {@code o += a (e_i + e_{i+1})}, {@code e += b (o_{i-1} + o_i)}, {@code o += g (...)},
 * {@code e += d (...)}, then {@code low = K e}, {@code high = o / K}. In two dimensions rows are
 * transformed first, then columns; the bands are the approximation {@code cA} (low-low) and the
 * details {@code cH} (low rows, high columns... i.e. horizontal edges), {@code cV} and {@code cD}.
 */
final class Cdf97 {

    static final double A = -1.586134342059924;
    static final double B = -0.052980118572961;
    static final double G = 0.882911075530934;
    static final double D = 0.443506852043971;
    static final double K = 1.149604398860241;

    private Cdf97() {}
}
