package dev.bulwark.it.admin;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.Installation;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The quarantine index (issue #22) in a real James: listings and counts read the index, not the
 * repository, once the start-up check has run; an entry taken out of the repository behind Bulwark's back
 * stays listed until the reindex task removes its row; and rows lost in a crash, or left without an entry,
 * are repaired by the check at the next start.
 */
@ExtendWith(JamesStarterExtension.class)
class QuarantineIndexTest {
    private static final String SENDER = "mallory@outside.test";
    private static final String REINDEX = "bulwark-quarantine-reindex";
    private static final String QUARANTINE = "var/mail/quarantine";

    @Test
    void listingsReadTheIndexAndReconciliationRepairsIt(JamesStarter jameses) throws Exception {
        Path workDir = jameses.workDir();
        String gone;
        String lost;
        String kept;
        try (BulwarkJames james = jameses.start(workDir, conf -> { })) {
            MailClients clients = new MailClients(james);
            gone = sendInfected(james, clients, "index gone");
            lost = sendInfected(james, clients, "index lost");
            kept = sendInfected(james, clients, "index kept");
            awaitStartCheck(clients);

            // Taken out of the repository behind Bulwark's back: the entry is gone, its row is not.
            clients.webAdmin().delete("/mailRepositories/" + encode(QUARANTINE) + "/mails/" + gone).then().statusCode(204);
            clients.webAdmin().get("/bulwark/quarantine/" + gone).then().statusCode(404);
            assertThat(ids(clients, "")).as("listed from the index").contains(gone, lost, kept);
            assertThat(ids(clients, "sender=" + SENDER + "&virus=eicar")).contains(gone);
            assertThat(total(clients)).isEqualTo(3);
            assertThat(clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200).extract().jsonPath().getLong("total"))
                .isEqualTo(3);

            String task = clients.webAdmin().post("/bulwark/quarantine?action=reindex").then().statusCode(201)
                .extract().jsonPath().getString("taskId");
            assertThat(clients.awaitTask(task)).isEqualTo("completed");
            Map<String, Object> details = clients.webAdmin().get("/tasks/" + task).then().statusCode(200)
                .extract().jsonPath().getMap("additionalInformation");
            assertThat(details).containsEntry("full", true).containsEntry("entries", 2).containsEntry("rewritten", 2)
                .containsEntry("removed", 1).containsEntry("added", 0);
            assertThat(ids(clients, "")).containsExactlyInAnyOrder(lost, kept);
            assertThat(total(clients)).isEqualTo(2);
        }

        // A crash between the repository and the index: a row lost, and a row left for an entry that is gone.
        try (IndexDb index = securityStore(workDir)) {
            for (String table : List.of("bulwark_quarantine_recipient WHERE entry_id", "bulwark_quarantine_virus WHERE entry_id",
                "bulwark_quarantine_json WHERE id", "bulwark_quarantine_entry WHERE id")) {
                execute(index, "DELETE FROM " + table + " = ?", lost);
            }
            execute(index, "INSERT INTO bulwark_quarantine_entry (id, stored_at, expires_at, reason, size, released) "
                + "SELECT 'ghost', stored_at, expires_at, reason, size, released FROM bulwark_quarantine_entry WHERE id = ?", kept);
            execute(index, "INSERT INTO bulwark_quarantine_json (id, entry) "
                + "SELECT 'ghost', REPLACE(entry, id, 'ghost') FROM bulwark_quarantine_json WHERE id = ?", kept);
        }

        try (BulwarkJames james = jameses.restart(workDir)) {
            MailClients clients = new MailClients(james);
            Map<String, Object> details = awaitStartCheck(clients);
            assertThat(details).containsEntry("full", false).containsEntry("entries", 2).containsEntry("added", 1)
                .containsEntry("removed", 1).containsEntry("rewritten", 0);
            assertThat(ids(clients, "")).containsExactlyInAnyOrder(lost, kept);
            assertThat(ids(clients, "recipient=%40bulwark.test&virus=EICAR")).containsExactlyInAnyOrder(lost, kept);
        }
    }

    private static String sendInfected(BulwarkJames james, MailClients clients, String subject) throws Exception {
        String recipient = james.addUser("index-" + subject.replace(' ', '-'));
        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, subject, "x.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        return (String) clients.awaitQuarantined(subject).get("id");
    }

    /** The start-up check of the index, completed: its progress details. */
    private static Map<String, Object> awaitStartCheck(MailClients clients) {
        String task = AWAIT.until(() -> clients.webAdmin().get("/tasks").then().statusCode(200)
            .extract().jsonPath().<String>getList("findAll { it.type == '" + REINDEX + "' }.taskId"), ids -> ids.size() == 1).get(0);
        assertThat(clients.awaitTask(task)).isEqualTo("completed");
        return clients.webAdmin().get("/tasks/" + task).then().statusCode(200).extract().jsonPath().getMap("additionalInformation");
    }

    private static List<String> ids(MailClients clients, String query) {
        return clients.quarantine(query).stream().map(entry -> (String) entry.get("id")).toList();
    }

    private static long total(MailClients clients) {
        return clients.webAdmin().get("/bulwark/quarantine").then().statusCode(200).extract().jsonPath().getLong("total");
    }

    /**
     * The stopped James's security store, through the SQLite driver bulwark.jar ships (the tests' classpath has
     * no Bulwark class and no driver: they come from the jar, as in production).
     */
    private static IndexDb securityStore(Path workDir) throws Exception {
        Path file = workDir.resolve("var/bulwark/security.db");
        assertThat(Files.exists(file)).isTrue();
        URLClassLoader jar = new URLClassLoader(new URL[] {Installation.find().jar().toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Driver driver = (Driver) Class.forName("org.sqlite.JDBC", true, jar).getDeclaredConstructor().newInstance();
        return new IndexDb(driver.connect("jdbc:sqlite:" + file, new Properties()), jar);
    }

    /** A connection and the class loader holding its driver, closed together. */
    private record IndexDb(Connection connection, URLClassLoader jar) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try {
                connection.close();
            } finally {
                jar.close();
            }
        }
    }

    private static void execute(IndexDb index, String sql, String value) throws Exception {
        try (PreparedStatement statement = index.connection().prepareStatement(sql)) {
            statement.setString(1, value);
            statement.executeUpdate();
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
