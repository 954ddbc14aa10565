package dev.bulwark.security;

import java.util.Locale;

/** The two sender lists: mail from ALLOW senders skips the spam check, mail from BLOCK senders is refused by policy. */
public enum SenderList {
    ALLOW, BLOCK;

    public String asString() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SenderList of(String value) {
        for (SenderList list : values()) {
            if (list.asString().equalsIgnoreCase(value)) {
                return list;
            }
        }
        throw new IllegalArgumentException("unknown list '" + value + "', expected allow or block");
    }
}
