package org.waecompress.baselines.lowrank;

import java.util.Arrays;

/**
 * Rank selection by empirical variational Bayesian matrix factorisation (EVBMF): the global
 * analytic solution of Nakajima, Sugiyama, Babacan and Tomioka (JMLR 14, 2013), with the noise
 * variance estimated from the data. Kim et al. (ICLR 2016) use it to pick Tucker-2 ranks from the
 * kernel's two channel-mode unfoldings; here it also picks the rank of the channel decomposition and
 * of linear layers.
 *
 * <p>For an {@code L x M} matrix ({@code L <= M}, {@code alpha = L / M}) with singular values
 * {@code gamma_h}, write {@code x_h = gamma_h^2 / (M sigma^2)}. EVBMF keeps the components with
 * {@code x_h} above {@code xbar = (1 + taubar)(1 + alpha / taubar)}, {@code taubar = 2.5129
 * sqrt(alpha)}; {@code sigma^2} minimises the free energy
 * <pre>
 *   sum_{x_h <= xbar} (x_h - log x_h)
 * + sum_{x_h >  xbar} (x_h - tau_h + log((tau_h + 1) / x_h) + alpha log(tau_h / alpha + 1)),
 *   tau_h = (x_h - (1 + alpha) + sqrt((x_h - (1 + alpha))^2 - 4 alpha)) / 2,
 * </pre>
 * searched on the paper's interval: from {@code max(gamma_{e+1}^2 / (M xbar), mean_{h > e}
 * gamma_h^2 / M)}, {@code e = ceil(L / (1 + alpha)) - 1}, to the all-noise variance {@code
 * sum gamma^2 / (L M)}. The search is a log-spaced scan followed by golden-section refinement, since
 * the free energy is not convex in {@code sigma^2}.
 */
public final class Vbmf {

    /**
     * The estimate.
     *
     * @param rank the number of components kept
     * @param sigma2 the estimated noise variance
     */
    public record Estimate(int rank, double sigma2) {}

    private static final int SCAN = 400;

    private Vbmf() {}

    /**
     * Estimates the rank of a matrix from all of its singular values.
     *
     * @param singularValues the singular values (any order; {@code min(rows, cols)} of them)
     * @param rows the matrix's rows
     * @param cols its columns
     * @return the rank and noise variance
     */
    public static Estimate estimate(double[] singularValues, int rows, int cols) {
        int l = Math.min(rows, cols);
        int m = Math.max(rows, cols);
        if (singularValues.length != l) {
            throw new IllegalArgumentException("need all " + l + " singular values, got " + singularValues.length);
        }
        double[] s = singularValues.clone();
        Arrays.sort(s);
        for (int i = 0; i < l / 2; i++) {
            double t = s[i];
            s[i] = s[l - 1 - i];
            s[l - 1 - i] = t;
        }
        double alpha = l / (double) m;
        double tauBar = 2.5129 * Math.sqrt(alpha);
        double xBar = (1 + tauBar) * (1 + alpha / tauBar);
        double total = 0;
        for (double v : s) {
            total += v * v;
        }
        if (total == 0) {
            return new Estimate(0, 0);
        }
        double upper = total / ((double) l * m);
        int e = Math.min((int) Math.ceil(l / (1 + alpha)) - 1, l) - 1;
        double lower = 0;
        if (e + 1 < l) {
            double tail = 0;
            for (int h = e + 1; h < l; h++) {
                tail += s[h] * s[h];
            }
            lower = Math.max(s[e + 1] * s[e + 1] / (m * xBar), tail / (l - e - 1) / m);
        }
        lower = Math.max(lower, upper * 1e-12);
        if (lower >= upper) {
            lower = upper * 1e-6;
        }
        double best = upper;
        double bestF = Double.POSITIVE_INFINITY;
        double logLo = Math.log(lower);
        double logHi = Math.log(upper);
        for (int i = 0; i <= SCAN; i++) {
            double v = Math.exp(logLo + (logHi - logLo) * i / SCAN);
            double f = freeEnergy(v, s, m, alpha, xBar);
            if (f < bestF) {
                bestF = f;
                best = v;
            }
        }
        double step = (logHi - logLo) / SCAN;
        double a = Math.max(logLo, Math.log(best) - step);
        double b = Math.min(logHi, Math.log(best) + step);
        double g = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 60; i++) {
            double c = b - g * (b - a);
            double d = a + g * (b - a);
            if (freeEnergy(Math.exp(c), s, m, alpha, xBar) < freeEnergy(Math.exp(d), s, m, alpha, xBar)) {
                b = d;
            } else {
                a = c;
            }
        }
        double refined = Math.exp((a + b) / 2);
        double sigma2 = freeEnergy(refined, s, m, alpha, xBar) < bestF ? refined : best;
        int rank = 0;
        for (double v : s) {
            if (v * v > m * sigma2 * xBar) {
                rank++;
            }
        }
        return new Estimate(rank, sigma2);
    }

    static double freeEnergy(double sigma2, double[] s, int m, double alpha, double xBar) {
        double f = 0;
        for (double v : s) {
            double x = v * v / (m * sigma2);
            if (x > xBar) {
                double y = x - (1 + alpha);
                double tau = (y + Math.sqrt(Math.max(0, y * y - 4 * alpha))) / 2;
                f += x - tau + Math.log((tau + 1) / x) + alpha * Math.log(tau / alpha + 1);
            } else {
                f += x - Math.log(Math.max(x, Double.MIN_NORMAL));
            }
        }
        return f;
    }
}
