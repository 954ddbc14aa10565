/**
 * The web console: static files served from the jar at {@code /bulwark/console} (fixed list, content
 * types, ETag, CSP). It calls the webadmin routes from the browser; no Java code of its own beyond serving.
 */
package dev.bulwark.extension.console;
