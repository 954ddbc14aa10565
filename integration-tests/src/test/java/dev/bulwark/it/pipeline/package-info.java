/**
 * Mail through James's pipeline: verdicts, headers and routes for clean, spam, infected, big, malformed and
 * banned mail, per-recipient spam and runtime policies, SMTP-time rejection, notices; on both spam engines.
 */
package dev.bulwark.it.pipeline;
