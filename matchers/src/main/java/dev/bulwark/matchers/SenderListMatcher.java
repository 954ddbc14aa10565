package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import dev.bulwark.security.ListEntry;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SenderList;

/** Matches all recipients when the envelope sender is on one sender list, recording which entry matched. */
abstract class SenderListMatcher extends GenericMatcher {
    /** The list entry that matched: {@code allow:@partner.example}. */
    public static final AttributeName LISTED = AttributeName.of("bulwark.sender.listed");

    private final SecurityStore store;
    private final SenderList list;

    SenderListMatcher(SecurityStore store, SenderList list) {
        this.store = store;
        this.list = list;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getMaybeSender().asOptional()
            .flatMap(sender -> store.lists().match(list, sender.asString()))
            .map(entry -> {
                mail.setAttribute(new Attribute(LISTED, AttributeValue.of(describe(entry))));
                return (Collection<MailAddress>) mail.getRecipients();
            })
            .orElse(List.of());
    }

    private static String describe(ListEntry entry) {
        return entry.list().asString() + ":" + entry.pattern().value();
    }
}
