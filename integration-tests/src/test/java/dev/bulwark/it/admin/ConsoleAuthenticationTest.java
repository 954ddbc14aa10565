package dev.bulwark.it.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.ConsoleBrowser;

/**
 * The console with webadmin's JWT authentication on, as the sample ships: the page loads without a token,
 * asks for one, says clearly when webadmin refuses it, and once given a good one keeps it for the tab.
 */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleAuthenticationTest {
    private ConsoleBrowser browser;
    private BulwarkJames james;

    @BeforeAll
    void start(BulwarkJames james) throws Exception {
        this.james = james;
        browser = ConsoleBrowser.openWithoutToken("http://127.0.0.1:" + james.webAdminPort());
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void asksForATokenOnceExplainsARefusedOneAndWorksWithAGoodOne() {
        browser.driver().get(browser.consoleUrl() + "#dashboard");
        browser.awaitVisible(By.id("token-dialog"));
        assertThat(browser.driver().findElement(By.id("token-problem")).isDisplayed()).as("no complaint before a token was tried").isFalse();

        browser.type(By.id("token-input"), "not-a-valid-token");
        browser.click(By.id("token-submit"));
        browser.awaitText(By.id("token-problem"), "Webadmin refused the token (401");
        assertThat(browser.driver().findElement(By.id("token-problem")).getText()).contains("admin token");
        browser.screenshot("token-refused");

        browser.type(By.id("token-input"), james.jwt().adminToken("console-admin"));
        browser.click(By.id("token-submit"));
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-dialog")));
        browser.awaitVisible(By.id("counts-table"));
        browser.awaitText(By.id("integrity-table"), "clamd");
        assertThat(browser.driver().findElement(By.id("error")).isDisplayed()).isFalse();

        // Asked once: another view, and a reload of the page, use the kept token.
        browser.openView("quarantine");
        browser.awaitVisible(By.id("quarantine-list"));
        browser.driver().navigate().refresh();
        browser.awaitVisible(By.id("quarantine-filter"));
        browser.awaitVisible(By.id("quarantine-range"));
        assertThat(browser.driver().findElement(By.id("token-dialog")).isDisplayed()).isFalse();
        assertThat(browser.script("return sessionStorage.getItem('bulwark.console.token') !== null")).isEqualTo(true);
        assertThat(browser.driver().findElement(By.id("forget-token")).isDisplayed()).isTrue();
    }
}
