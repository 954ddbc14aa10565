/** Admin, sender and recipient notices with a backscatter guard (issue #6). */
package dev.bulwark.notifications;
