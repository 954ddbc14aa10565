package dev.bulwark.scanner.rspamd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.SpamVerdict;
import dev.bulwark.scanner.wire.Printable;

/**
 * Reads rspamd's {@code /checkv2} reply strictly: an HTTP 200 with a JSON object holding a known {@code action},
 * a finite {@code score} and {@code required_score}, and {@code symbols} as an object of rule names. Anything
 * else is an ERROR verdict saying what was wrong, never a HAM.
 *
 * <p>rspamd's actions map to Bulwark's classes: {@code reject}, {@code add header} and {@code rewrite subject}
 * are SPAM; {@code no action}, {@code greylist} and {@code soft reject} (a temporary refusal, not a judgement of
 * the content) are HAM. The threshold is rspamd's {@code required_score}, its reject score.
 */
final class RspamdReplies {
    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Map<String, Boolean> SPAM_BY_ACTION = Map.of(
        "reject", true, "add header", true, "rewrite subject", true,
        "no action", false, "greylist", false, "soft reject", false);
    /** A rule name as rspamd writes them: printable ASCII, no spaces or commas (they end up in X-Spam-Status). */
    private static final Pattern SYMBOL = Pattern.compile("[\\x21-\\x2b\\x2d-\\x7e]{1,128}");

    private RspamdReplies() {
    }

    static SpamVerdict parseCheck(int status, byte[] body, Endpoint endpoint) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (status != 200) {
            return SpamVerdict.error("rspamd answered HTTP " + status + ": '" + Printable.of(text.strip()) + "'", endpoint);
        }
        JsonNode reply;
        try {
            reply = JSON.readTree(body);
        } catch (IOException e) {
            return bad("is not JSON", text, endpoint);
        }
        if (reply == null || !reply.isObject()) {
            return bad("is not a JSON object", text, endpoint);
        }
        JsonNode action = reply.get("action");
        if (action == null || !action.isTextual() || !SPAM_BY_ACTION.containsKey(action.asText())) {
            return bad("has no known action", text, endpoint);
        }
        JsonNode score = reply.get("score");
        JsonNode required = reply.get("required_score");
        if (!isFinite(score) || !isFinite(required)) {
            return bad("has no score or required_score", text, endpoint);
        }
        JsonNode symbols = reply.get("symbols");
        if (symbols != null && !symbols.isObject()) {
            return bad("has symbols that are not an object", text, endpoint);
        }
        List<String> names = new ArrayList<>();
        if (symbols != null) {
            for (Iterator<String> it = symbols.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!SYMBOL.matcher(name).matches()) {
                    return bad("has a symbol name that is not one", text, endpoint);
                }
                names.add(name);
            }
        }
        names.sort(null);
        return SpamVerdict.scored(SPAM_BY_ACTION.get(action.asText()), score.doubleValue(), required.doubleValue(), names, endpoint);
    }

    private static boolean isFinite(JsonNode node) {
        return node != null && node.isNumber() && Double.isFinite(node.doubleValue());
    }

    private static SpamVerdict bad(String what, String text, Endpoint endpoint) {
        return SpamVerdict.error("rspamd's reply " + what + ": '" + Printable.of(text.strip()) + "'", endpoint);
    }
}
