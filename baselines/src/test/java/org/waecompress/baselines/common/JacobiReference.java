package org.waecompress.baselines.common;

/**
 * The hand-written cyclic-Jacobi SVD and eigen-decomposition that {@link Linalg} used before EJML:
 * an independent reference the tests compare EJML's results with, and the "before" of the
 * measurement in {@link LinalgTiming}.
 */
final class JacobiReference {

    private JacobiReference() {}

    /**
     * A thin singular value decomposition {@code M = U diag(s) V^T}, singular values descending.
     *
     * @param u left vectors, {@code rows x k} (row-major)
     * @param s singular values, length k
     * @param v right vectors, {@code cols x k} (row-major)
     * @param rows rows of M
     * @param cols columns of M
     */
    record Svd(double[] u, double[] s, double[] v, int rows, int cols) {
        /**
         * Returns the number of singular triplets.
         *
         * @return k
         */
        public int k() {
            return s.length;
        }
    }

    /**
     * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
     *
     * @param a the matrix, {@code n x n} row-major (not modified)
     * @param n its size
     * @return {eigenvalues (length n), eigenvectors as columns (n x n row-major)}, descending
     */
    static double[][] symmetricEigen(double[] a, int n) {
        double[] m = a.clone();
        double[] vec = new double[n * n];
        for (int i = 0; i < n; i++) {
            vec[i * n + i] = 1;
        }
        double norm = 0;
        for (double x : m) {
            norm += x * x;
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += m[p * n + q] * m[p * n + q];
                }
            }
            if (off <= 1e-24 * norm || off == 0) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = m[p * n + q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double app = m[p * n + p];
                    double aqq = m[q * n + q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int k = 0; k < n; k++) {
                        double mkp = m[k * n + p];
                        double mkq = m[k * n + q];
                        m[k * n + p] = c * mkp - sn * mkq;
                        m[k * n + q] = sn * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) {
                        double mpk = m[p * n + k];
                        double mqk = m[q * n + k];
                        m[p * n + k] = c * mpk - sn * mqk;
                        m[q * n + k] = sn * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = vec[k * n + p];
                        double vkq = vec[k * n + q];
                        vec[k * n + p] = c * vkp - sn * vkq;
                        vec[k * n + q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final double[] diag = new double[n];
        for (int i = 0; i < n; i++) {
            diag[i] = m[i * n + i];
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(diag[y], diag[x]));
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int j = 0; j < n; j++) {
            values[j] = diag[order[j]];
            for (int k = 0; k < n; k++) {
                vectors[k * n + j] = vec[k * n + order[j]];
            }
        }
        return new double[][] {values, vectors};
    }

    /**
     * Thin SVD of a {@code rows x cols} matrix.
     *
     * @param m the matrix, row-major
     * @param rows rows
     * @param cols columns
     * @return the decomposition with k = min(rows, cols) triplets
     */
    static Svd svd(float[] m, int rows, int cols) {
        boolean left = rows <= cols;
        int n = left ? rows : cols;
        int other = left ? cols : rows;
        double[] g = new double[n * n];
        // Gram matrix of the smaller side: M M^T (rows x rows) or M^T M (cols x cols).
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < other; k++) {
                    double a = left ? m[i * cols + k] : m[k * cols + i];
                    double b = left ? m[j * cols + k] : m[k * cols + j];
                    sum += a * b;
                }
                g[i * n + j] = sum;
                g[j * n + i] = sum;
            }
        }
        double[][] eig = symmetricEigen(g, n);
        double[] s = new double[n];
        double[] small = eig[1];
        double[] big = new double[other * n];
        for (int j = 0; j < n; j++) {
            s[j] = Math.sqrt(Math.max(0, eig[0][j]));
            if (s[j] < 1e-12) {
                continue;
            }
            // The other side's vector: M^T u / s (or M v / s).
            for (int k = 0; k < other; k++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    double a = left ? m[i * cols + k] : m[k * cols + i];
                    sum += a * small[i * n + j];
                }
                big[k * n + j] = sum / s[j];
            }
        }
        return left ? new Svd(small, s, big, rows, cols) : new Svd(big, s, small, rows, cols);
    }
}
