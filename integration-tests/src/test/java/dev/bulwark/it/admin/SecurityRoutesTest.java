package dev.bulwark.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.Scripts;

/** Sender lists, groups and events over webadmin, in the real James, stored in the SQLite security store. */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityRoutesTest {
    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    @Test
    void senderListsAreEditable() {
        clients.webAdmin().contentType("application/json").body("{\"comment\": \"our partner\"}").put("/bulwark/lists/allow/Partner.Example")
            .then().statusCode(204);
        clients.webAdmin().put("/bulwark/lists/allow/boss@bulwark.test").then().statusCode(204);
        clients.webAdmin().put("/bulwark/lists/block/*@*.spam.test").then().statusCode(204);

        clients.webAdmin().get("/bulwark/lists/allow").then().statusCode(200)
            .body("pattern", equalTo(List.of("@partner.example", "boss@bulwark.test")))
            .body("find { it.pattern == '@partner.example' }.comment", equalTo("our partner"));
        clients.webAdmin().get("/bulwark/lists/block").then().statusCode(200).body("pattern", hasItem("*@*.spam.test"));

        clients.webAdmin().delete("/bulwark/lists/allow/boss@bulwark.test").then().statusCode(204);
        clients.webAdmin().delete("/bulwark/lists/allow/boss@bulwark.test").then().statusCode(404).body("type", equalTo("notFound"));
        clients.webAdmin().get("/bulwark/lists/allow").then().body("pattern", not(hasItem("boss@bulwark.test")));
    }

    @Test
    void groupsAreEditable() {
        clients.webAdmin().put("/bulwark/groups/finance/bob@bulwark.test").then().statusCode(204);
        clients.webAdmin().put("/bulwark/groups/finance/accounting.bulwark.test").then().statusCode(204);

        clients.webAdmin().get("/bulwark/groups/finance").then().statusCode(200)
            .body("", equalTo(List.of("@accounting.bulwark.test", "bob@bulwark.test")));
        clients.webAdmin().get("/bulwark/groups").then().statusCode(200).body("finance.size()", equalTo(2));

        clients.webAdmin().delete("/bulwark/groups/finance/bob@bulwark.test").then().statusCode(204);
        clients.webAdmin().get("/bulwark/groups/finance").then().body("", equalTo(List.of("@accounting.bulwark.test")));
        clients.webAdmin().get("/bulwark/groups/nobody").then().statusCode(404);
    }

    /**
     * As users really call them: curl's -d sends a form body, which James's request logging reads (and
     * empties) before the route. Bodies must be JSON (415 otherwise), so a comment is never silently lost.
     */
    @Test
    void aFormBodyIsRefusedNotSilentlyDropped() {
        String base = "http://127.0.0.1:" + james.webAdminPort();
        String auth = "Authorization: Bearer " + james.adminToken();

        Scripts.HttpAnswer form = Scripts.curl("-X", "PUT", base + "/bulwark/lists/allow/form.example", "-H", auth, "-d", "{\"comment\": \"contract 2026-14\"}");
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.body()).contains("Content-Type: application/json");
        Scripts.HttpAnswer text = Scripts.curl("-X", "PUT", base + "/bulwark/groups/staff/form@bulwark.test", "-H", auth,
            "-H", "Content-Type: text/plain", "-d", "x");
        assertThat(text.status()).isEqualTo(415);
        clients.webAdmin().get("/bulwark/lists/allow").then().body("pattern", not(hasItem("@form.example")));
        clients.webAdmin().get("/bulwark/groups/staff").then().statusCode(404);

        Scripts.HttpAnswer json = Scripts.curl("-X", "PUT", base + "/bulwark/lists/allow/form.example", "-H", auth,
            "-H", "Content-Type: application/json", "-d", "{\"comment\": \"contract 2026-14\"}");
        assertThat(json.status()).as(json.body()).isEqualTo(204);
        clients.webAdmin().get("/bulwark/lists/allow").then().body("find { it.pattern == '@form.example' }.comment", equalTo("contract 2026-14"));
    }

    @Test
    void badRequestsAnswer400AndChangeNothing() {
        clients.webAdmin().get("/bulwark/lists/grey").then().statusCode(400)
            .body("statusCode", equalTo(400)).body("type", equalTo("InvalidArgument")).body("message", containsString("expected allow or block"));
        clients.webAdmin().put("/bulwark/lists/block/a%20b@c.d").then().statusCode(400).body("message", containsString("not an address pattern"));
        clients.webAdmin().put("/bulwark/lists/block/*").then().statusCode(400);
        clients.webAdmin().contentType("application/json").body("{\"colour\": \"red\"}").put("/bulwark/lists/block/x.test").then().statusCode(400);
        clients.webAdmin().contentType("application/json").body("not json").put("/bulwark/lists/block/x.test").then().statusCode(400);
        clients.webAdmin().contentType("application/json").body("{\"comment\": \"x\"}").put("/bulwark/groups/staff/x.test").then().statusCode(400)
            .body("message", containsString("takes no body"));
        clients.webAdmin().put("/bulwark/groups/Bad%20Name/a@b.c").then().statusCode(400).body("message", containsString("not a group name"));
        clients.webAdmin().get("/bulwark/events?after=yesterday").then().statusCode(400);
        clients.webAdmin().get("/bulwark/events?limit=5000").then().statusCode(400);
        clients.webAdmin().get("/bulwark/events?colour=red").then().statusCode(400);

        clients.webAdmin().get("/bulwark/lists/block").then().body("pattern", not(hasItem("@x.test")));
    }
}
