/**
 * The scan stamp: how the pipeline marks what it judged clean so that store-level scanning does not scan
 * it again, in a way no client can forge or reuse on other content.
 */
package dev.bulwark.mailets.stamp;
