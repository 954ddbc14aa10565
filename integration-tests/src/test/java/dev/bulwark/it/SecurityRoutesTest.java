package dev.bulwark.it;

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

/** Sender lists, groups and events over webadmin, in the real James, stored in the SQLite security store. */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityRoutesTest {
    private MailClients clients;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.clients = new MailClients(james);
    }

    @Test
    void senderListsAreEditable() {
        clients.webAdmin().body("{\"comment\": \"our partner\"}").put("/bulwark/lists/allow/Partner.Example").then().statusCode(204);
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

    @Test
    void badRequestsAnswer400AndChangeNothing() {
        clients.webAdmin().get("/bulwark/lists/grey").then().statusCode(400)
            .body("statusCode", equalTo(400)).body("type", equalTo("InvalidArgument")).body("message", containsString("expected allow or block"));
        clients.webAdmin().put("/bulwark/lists/block/a%20b@c.d").then().statusCode(400).body("message", containsString("not an address pattern"));
        clients.webAdmin().put("/bulwark/lists/block/*").then().statusCode(400);
        clients.webAdmin().body("{\"colour\": \"red\"}").put("/bulwark/lists/block/x.test").then().statusCode(400);
        clients.webAdmin().body("not json").put("/bulwark/lists/block/x.test").then().statusCode(400);
        clients.webAdmin().put("/bulwark/groups/Bad%20Name/a@b.c").then().statusCode(400).body("message", containsString("not a group name"));
        clients.webAdmin().get("/bulwark/events?after=yesterday").then().statusCode(400);
        clients.webAdmin().get("/bulwark/events?limit=5000").then().statusCode(400);
        clients.webAdmin().get("/bulwark/events?colour=red").then().statusCode(400);

        clients.webAdmin().get("/bulwark/lists/block").then().body("pattern", not(hasItem("@x.test")));
    }
}
