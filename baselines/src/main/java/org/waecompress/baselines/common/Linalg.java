package org.waecompress.baselines.common;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Dense linear algebra in double precision for the baselines, on EJML (Efficient Java Matrix
 * Library): the thin SVD of weight matrices and the eigen-decomposition of response covariances,
 * both with values in descending order.
 *
 * <p>EJML's Golub-Kahan SVD takes VGG16's 4096 x 4096 classifier layer in seconds where the cyclic
 * Jacobi rotations this class used before (kept as a test reference) took hours; docs/strategies.md
 * has the measurement.
 */
public final class Linalg {

    private Linalg() {}

    /**
     * A thin singular value decomposition {@code M = U diag(s) V^T}, singular values descending.
     *
     * @param u left vectors, {@code rows x k} (row-major)
     * @param s singular values, length k
     * @param v right vectors, {@code cols x k} (row-major)
     * @param rows rows of M
     * @param cols columns of M
     */
    public record Svd(double[] u, double[] s, double[] v, int rows, int cols) {
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
     * Eigen-decomposition of a symmetric matrix.
     *
     * @param a the matrix, {@code n x n} row-major (not modified)
     * @param n its size
     * @return {eigenvalues (length n), eigenvectors as columns (n x n row-major)}, descending
     * @throws ArithmeticException if the decomposition does not converge (a matrix with NaN or infinite values)
     */
    public static double[][] symmetricEigen(double[] a, int n) {
        DMatrixRMaj m = new DMatrixRMaj(n, n, true, a);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(m)) {
            throw new ArithmeticException("eigen-decomposition of a " + n + " x " + n + " matrix did not converge");
        }
        Integer[] order = new Integer[n];
        double[] raw = new double[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            raw[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(order, (x, y) -> Double.compare(raw[y], raw[x]));
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int j = 0; j < n; j++) {
            values[j] = raw[order[j]];
            DMatrixRMaj v = eig.getEigenVector(order[j]);
            for (int k = 0; k < n; k++) {
                vectors[k * n + j] = v.get(k, 0);
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
     * @throws ArithmeticException if the decomposition does not converge (a matrix with NaN or infinite values)
     */
    public static Svd svd(float[] m, int rows, int cols) {
        DMatrixRMaj a = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.length; i++) {
            a.data[i] = m[i];
        }
        int k = Math.min(rows, cols);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, true, true, true);
        if (!svd.decompose(a)) {
            throw new ArithmeticException("SVD of a " + rows + " x " + cols + " matrix did not converge");
        }
        double[] raw = svd.getSingularValues();
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj v = svd.getV(null, false);
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(raw[y], raw[x]));
        double[] s = new double[k];
        double[] uu = new double[rows * k];
        double[] vv = new double[cols * k];
        for (int j = 0; j < k; j++) {
            int c = order[j];
            s[j] = raw[c];
            for (int r = 0; r < rows; r++) {
                uu[r * k + j] = u.get(r, c);
            }
            for (int r = 0; r < cols; r++) {
                vv[r * k + j] = v.get(r, c);
            }
        }
        return new Svd(uu, s, vv, rows, cols);
    }
}
