package dev.bulwark.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

/**
 * A web page from another origin (its own HTTP server on another loopback port) whose script tries to
 * drive webadmin the ways a page can: reads with and without credentials, "simple" cross-origin POSTs
 * that no preflight stops (fetch no-cors, sendBeacon), preflighted JSON, PUT and DELETE, and James's own
 * reprocessing of the quarantine repository. It writes what it could read into {@code #results} (JSON)
 * and sets the title to "done".
 */
final class HostilePage implements AutoCloseable {
    private final HttpServer server;

    private HostilePage(HttpServer server) {
        this.server = server;
    }

    /** Serves the attack on webadmin at {@code webAdmin} against quarantine entry {@code id}, holding {@code token} if not null. */
    static HostilePage serve(String webAdmin, String id, String token) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = page(webAdmin, id, token).getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
        return new HostilePage(server);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static String page(String webAdmin, String id, String token) {
        return """
            <!DOCTYPE html>
            <html><head><title>cute cats</title></head><body><pre id="results"></pre>
            <script>
            const W = %s, ID = %s, TOKEN = %s;
            const results = {};
            const quarantine = W + '/bulwark/quarantine';
            const release = quarantine + '/' + ID + '/release';
            const reprocess = W + '/mailRepositories/var%%2Fmail%%2Fquarantine/mails?action=reprocess&processor=transport';
            async function attempt(name, url, init) {
              try {
                const response = await fetch(url, init);
                if (response.type === 'opaque') {
                  results[name] = 'opaque';
                  return;
                }
                const text = await response.text();
                results[name] = 'read ' + response.status + ': ' + text.slice(0, 200);
              } catch (e) {
                results[name] = 'refused: ' + e.name;
              }
            }
            const auth = TOKEN ? {Authorization: 'Bearer ' + TOKEN} : {};
            (async () => {
              await attempt('list', quarantine);
              await attempt('list with credentials', quarantine, {credentials: 'include'});
              await attempt('list with token', quarantine, {headers: auth});
              await attempt('download', quarantine + '/' + ID + '/eml', {credentials: 'include', headers: auth});
              await attempt('download no-cors', quarantine + '/' + ID + '/eml', {mode: 'no-cors', credentials: 'include'});
              await attempt('users', W + '/users', {credentials: 'include', headers: auth});
              await attempt('release no-cors', release, {method: 'POST', mode: 'no-cors', credentials: 'include', body: '{"all": true}'});
              await attempt('release json', release, {method: 'POST', credentials: 'include',
                headers: {...auth, 'Content-Type': 'application/json'}, body: '{"all": true}'});
              results['release beacon'] = navigator.sendBeacon(release, '{"all": true}') ? 'queued' : 'not queued';
              await attempt('allow attacker', W + '/bulwark/lists/allow/attacker.example', {method: 'PUT', credentials: 'include', headers: auth});
              await attempt('allow attacker no-cors', W + '/bulwark/lists/allow/attacker.example', {method: 'PUT', mode: 'no-cors'});
              await attempt('remove from block list', W + '/bulwark/lists/block/spammer.example', {method: 'DELETE', credentials: 'include', headers: auth});
              await attempt('purge no-cors', quarantine + '?action=purge', {method: 'POST', mode: 'no-cors', credentials: 'include'});
              await attempt('james reprocess no-cors', reprocess, {method: 'POST', mode: 'no-cors', credentials: 'include'});
              await attempt('james reprocess', reprocess, {method: 'POST', credentials: 'include', headers: auth});
              document.getElementById('results').textContent = JSON.stringify(results);
              document.title = 'done';
            })();
            </script></body></html>
            """.formatted(js(webAdmin), js(id), token == null ? "null" : js(token));
    }

    private static String js(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
