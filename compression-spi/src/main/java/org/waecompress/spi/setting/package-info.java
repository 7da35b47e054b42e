/**
 * Typed settings: what a strategy declares once ({@link org.waecompress.spi.setting.Setting}) and the
 * harness checks, lists and documents.
 */
package org.waecompress.spi.setting;
