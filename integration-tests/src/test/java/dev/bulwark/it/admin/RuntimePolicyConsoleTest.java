package dev.bulwark.it.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.ConsoleBrowser;
import dev.bulwark.it.fixtures.ConsoleBrowserExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The console's policies view in Debian's headless chromium against a real James: a group's policy edited
 * as JSON is refused with the server's message naming the field (nothing stored), then validated and saved;
 * the effective policy for a member and the history show it, and a rollback from the history restores.
 */
class RuntimePolicyConsoleTest {
    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension();
    @RegisterExtension
    static final ConsoleBrowserExtension CONSOLE = new ConsoleBrowserExtension(JAMES);

    private static void editorText(ConsoleBrowser browser, String json) {
        browser.script("document.getElementById('policy-json').value = arguments[0]", json);
    }

    @Test
    void aGroupPolicyIsEditedWithTheServersValidationAndRolledBack(BulwarkJames james, MailClients clients, ConsoleBrowser browser)
        throws Exception {
        String member = james.addUser("console-policy-member");
        clients.webAdmin().put("/bulwark/groups/console-sales/" + member).then().statusCode(204);
        browser.openView("policies");
        browser.awaitText(By.id("policies-table"), "strict");

        browser.type(By.cssSelector("#policy-group input[name=group]"), "console-sales");
        browser.click(By.cssSelector("#policy-group button[type=submit]"));
        browser.awaitVisible(By.id("policy-json"));
        editorText(browser, "{\"spam\": {\"quarantineAt\": 1}}");
        browser.click(By.id("policy-save"));
        browser.awaitText(By.id("error-text"), "spam.quarantineAt: must be a number above spam.tagAt (5.0)");
        clients.webAdmin().get("/bulwark/policies/groups/console-sales").then().statusCode(404);

        editorText(browser, "{\"priority\": 2, \"spam\": {\"quarantineAt\": 15, \"subjectTag\": \"[SPAM]\"}}");
        browser.click(By.id("policy-validate"));
        browser.awaitText(By.id("notice"), "The console-sales policy is valid.");
        clients.webAdmin().get("/bulwark/policies/groups/console-sales").then().statusCode(404);
        browser.click(By.id("policy-save"));
        browser.awaitText(By.id("notice"), "Policy console-sales saved as version");
        browser.awaitText(By.id("policies-table"), "console-sales");
        assertThat(clients.webAdmin().get("/bulwark/policies/groups/console-sales").then().statusCode(200).extract().jsonPath()
            .getDouble("policy.spam.quarantineAt")).isEqualTo(15.0);
        browser.screenshot("policies");

        browser.type(By.cssSelector("#policy-address input[name=address]"), member);
        browser.click(By.cssSelector("#policy-address button[type=submit]"));
        browser.awaitText(By.id("policy-effective-answer"), "Group console-sales");
        browser.awaitText(By.id("policy-effective-answer"), "\"quarantineAt\":15");

        // A second version, then back to the first from the history.
        org.openqa.selenium.WebElement firstEditor = browser.awaitVisible(By.id("policy-json"));
        browser.click(By.xpath("//table[@id='policies-table']//tr[td[text()='console-sales']]//button"));
        // The editor is drawn again for the stored policy: wait until the one on the page is the new one.
        browser.waiting().until(org.openqa.selenium.support.ui.ExpectedConditions.stalenessOf(firstEditor));
        browser.awaitVisible(By.id("policy-json"));
        editorText(browser, "{\"spam\": {\"quarantineAt\": 25}}");
        browser.click(By.id("policy-save"));
        browser.awaitText(By.id("policy-history-table"), "\"quarantineAt\":25");
        long first = clients.webAdmin().get("/bulwark/policies/history?scope=group:console-sales").then().statusCode(200)
            .extract().jsonPath().getLong("[1].version");
        browser.click(By.xpath("//table[@id='policy-history-table']//tr[td[1][text()='" + first + "']]//button"));
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "group:console-sales rolled back to version " + first);
        assertThat(clients.webAdmin().get("/bulwark/policies/groups/console-sales").then().statusCode(200).extract().jsonPath()
            .getDouble("policy.spam.quarantineAt")).isEqualTo(15.0);
    }
}
