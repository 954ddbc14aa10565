/**
 * What ships: the distribution jar's content, the docs' configuration snippets, the compose files, and the
 * sample report of the main job.
 */
package dev.bulwark.it.distribution;
