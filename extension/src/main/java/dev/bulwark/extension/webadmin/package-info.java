/**
 * Bulwark's webadmin routes ({@code /bulwark/quarantine}, lists, groups, events, stats, scanners, outbreak),
 * the request parsing and error format they share, and which paths need authentication. Routes only
 * orchestrate: the work is done by the rooms they call.
 */
package dev.bulwark.extension.webadmin;
