package dev.bulwark.notifications;

import java.util.Locale;

/** Who a notice is for; also its template's file name ({@code admin.mustache}...). */
public enum NoticeKind {
    ADMIN, RECIPIENT, SENDER;

    public String asString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
