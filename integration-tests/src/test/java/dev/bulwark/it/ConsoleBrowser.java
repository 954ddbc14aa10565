package dev.bulwark.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.bulwark.launcher.BulwarkJames;

/**
 * Debian's headless chromium, driven through its chromedriver, pointed at one James's console. A fresh
 * profile per browser; nothing downloaded (Selenium Manager is never asked: both binaries are given).
 */
final class ConsoleBrowser implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final Path profile;
    private final String consoleUrl;
    private final Path screenshots;

    private ConsoleBrowser(ChromeDriver driver, Path profile, String consoleUrl, Path screenshots) {
        this.driver = driver;
        this.profile = profile;
        this.consoleUrl = consoleUrl;
        this.screenshots = screenshots;
    }

    /** The console of this James, logged in with an admin token (the sample requires one). */
    static ConsoleBrowser open(BulwarkJames james) throws IOException {
        ConsoleBrowser browser = openWithoutToken("http://127.0.0.1:" + james.webAdminPort());
        try {
            browser.logIn(james.adminToken());
            return browser;
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
    }

    /**
     * A browser for the console at {@code webAdminUrl} (scheme, host, port), not logged in; extra chromium
     * arguments e.g. to accept a test's own certificate.
     */
    static ConsoleBrowser openWithoutToken(String webAdminUrl, String... chromiumArguments) throws IOException {
        for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(binary))) {
                throw new IllegalStateException(binary + " is missing: the console tests need Debian's chromium and chromium-driver "
                    + "(scripts/install-deps.sh installs them)");
            }
        }
        Path profile = Files.createTempDirectory("bulwark-chromium");
        ChromeOptions options = new ChromeOptions()
            .setBinary(CHROMIUM)
            .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,1000", "--user-data-dir=" + profile)
            .addArguments(chromiumArguments);
        // Alerts are looked for explicitly (the XSS test); the driver must not dismiss them on its own.
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            return new ConsoleBrowser(driver, profile, webAdminUrl + "/bulwark/console",
                Files.createDirectories(Path.of("target", "console-screenshots")));
        } catch (RuntimeException e) {
            WorkDirs.delete(profile);
            throw e;
        }
    }

    /** Logs in as an admin does: the console asks for a token at its first call, the token is pasted. */
    void logIn(String token) {
        driver.get(consoleUrl + "#dashboard");
        awaitVisible(By.id("token-dialog"));
        // Set, not typed: a JWT is some 600 characters, and typing them one by one only costs time.
        script("document.getElementById('token-input').value = arguments[0]", token);
        click(By.id("token-submit"));
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-dialog")));
    }

    /** Opens a view of the console as an admin would: the page, then #view. */
    void openView(String view) {
        String url = consoleUrl + "#" + view;
        if (url.equals(driver.getCurrentUrl())) {
            // The same URL again changes nothing in the page (no hashchange): load it afresh.
            driver.navigate().refresh();
        } else {
            driver.get(url);
        }
        awaitVisible(By.cssSelector("main#view[data-view='" + view + "']"));
    }

    ChromeDriver driver() {
        return driver;
    }

    String consoleUrl() {
        return consoleUrl;
    }

    /** Waits that look again when a view re-rendered the elements they were reading. */
    WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    WebElement awaitVisible(By locator) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    void awaitText(By locator, String text) {
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(locator, text));
    }

    void type(By locator, String text) {
        WebElement input = awaitVisible(locator);
        input.clear();
        input.sendKeys(text);
    }

    void click(By locator) {
        waiting().until(ExpectedConditions.elementToBeClickable(locator)).click();
    }

    List<WebElement> all(By locator) {
        return driver.findElements(locator);
    }

    Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    boolean alertShown() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    /** Saves the page as target/console-screenshots/{name}.png (docs/console.md shows them). */
    void screenshot(String name) {
        try {
            Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            WorkDirs.delete(profile);
        }
    }
}
