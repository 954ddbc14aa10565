/**
 * The admin surface: quarantine and security routes over webadmin, authentication, HTTPS, hostile web pages, the
 * console in a browser, events and statistics.
 */
package dev.bulwark.it.admin;
