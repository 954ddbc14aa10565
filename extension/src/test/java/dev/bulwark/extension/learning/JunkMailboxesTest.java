package dev.bulwark.extension.learning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class JunkMailboxesTest {
    private final JunkMailboxes junk = new JunkMailboxes(List.of("Junk", "Junk E-Mail", "Bulk Mail"));

    @Test
    void namesMatchWholeOrByTheirLastPartWithoutCase() {
        assertThat(junk.isJunk("Junk")).isTrue();
        assertThat(junk.isJunk("junk e-mail")).isTrue();
        assertThat(junk.isJunk("INBOX.Junk")).isTrue();
        assertThat(junk.isJunk("Archive/Bulk Mail")).isTrue();
        assertThat(junk.isJunk("INBOX")).isFalse();
        assertThat(junk.isJunk("Junkyard")).isFalse();
    }

    @Test
    void jamesSpamRoleAlwaysCounts() {
        assertThat(junk.isJunk("Spam")).as("not listed, but James's \\Junk role").isTrue();
    }

    @Test
    void trashIsKnownByNameAndRole() {
        assertThat(junk.isTrash("Trash")).isTrue();
        assertThat(junk.isTrash("Deleted Items")).isTrue();
        assertThat(junk.isTrash("INBOX")).isFalse();
    }
}
