/** JDBC store for security events, lists and groups (issue #7, #11). */
package dev.bulwark.security;
