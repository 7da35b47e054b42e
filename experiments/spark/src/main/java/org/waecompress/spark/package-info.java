/**
 * {@code run.executor=spark}: the rows of a plan as Apache Spark tasks ({@link
 * org.waecompress.spark.SparkRowExecutor}), found by the harness through {@link java.util.ServiceLoader} like
 * any plugin, and on the class path only when {@code ./waec} is asked for it.
 */
package org.waecompress.spark;
