/**
 * The scan stamp: how the pipeline marks what it judged clean, or let through on an admin's release or a runtime
 * policy, so that store-level scanning does not scan it again, in a way no client can forge or reuse on other
 * content or turn into another kind.
 */
package dev.bulwark.mailets.stamp;
