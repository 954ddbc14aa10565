package dev.bulwark.extension.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class TakeOutBudgetTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T08:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void eachOwnerHasItsOwnCountAndBytesAndIsAlertedOncePerWindow() {
        TakeOutBudget budget = new TakeOutBudget(2, 1000, Duration.ofDays(1), clock);

        assertThat(budget.charge("mallory", 100).allowed()).isTrue();
        assertThat(budget.charge("mallory", 100)).isEqualTo(new TakeOutBudget.Charge(true, 2, 200, 0, false));
        assertThat(budget.charge("mallory", 100)).as("the third message").isEqualTo(new TakeOutBudget.Charge(false, 2, 200, 1, true));
        assertThat(budget.charge("mallory", 100)).as("alerted already").isEqualTo(new TakeOutBudget.Charge(false, 2, 200, 2, false));
        assertThat(budget.charge("trent", 100).allowed()).as("another owner").isTrue();

        assertThat(budget.charge("victor", 900).allowed()).isTrue();
        assertThat(budget.charge("victor", 101)).as("over the bytes").isEqualTo(new TakeOutBudget.Charge(false, 1, 900, 1, true));
        assertThat(budget.charge("victor", 100).allowed()).as("what still fits").isTrue();
    }

    @Test
    void aNewWindowStartsADayAfterTheFirstTakeOutAndAGivenBackChargeIsFree() {
        TakeOutBudget budget = new TakeOutBudget(1, 1000, Duration.ofDays(1), clock);
        assertThat(budget.charge("mallory", 10).allowed()).isTrue();
        budget.giveBack("mallory", 10);
        assertThat(budget.charge("mallory", 10).allowed()).as("the store refused the first").isTrue();
        assertThat(budget.charge("mallory", 10).allowed()).isFalse();

        now.set(now.get().plus(Duration.ofDays(1)));
        assertThat(budget.charge("mallory", 10)).isEqualTo(new TakeOutBudget.Charge(true, 1, 10, 0, false));
        assertThat(budget.charge("mallory", 10).firstAlert()).as("a new window alerts again").isTrue();
    }
}
