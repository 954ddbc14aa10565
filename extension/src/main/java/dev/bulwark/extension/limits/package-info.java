/**
 * Per-key limits over time ({@code FixedWindows}), for the limiters of other rooms: the learner's per-user rates and
 * store-level scanning's per-owner take-out budget. Depends on nothing of Bulwark's.
 */
package dev.bulwark.extension.limits;
