package dev.bulwark.matchers.attachments;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Files uuencoded inside a text body ({@code begin 644 name} ... {@code end}, and {@code begin-base64}
 * ... {@code ====}): Outlook and Thunderbird show them as attachments although MIME knows nothing of
 * them. Decoded as those clients decode them: each line's length character, four characters to three
 * bytes, out-of-range characters taken modulo 64.
 */
final class Uuencoded {
    private static final Pattern BEGIN = Pattern.compile("^begin(-base64)? +([0-7]{3,4}) +(.*\\S)\\s*$");
    static final int MAX_BLOCKS = 100;

    /** One file: its name as the begin line gives it, its bytes (at most the limit asked for), whether it was cut. */
    record Block(String name, byte[] data, boolean truncated) {
    }

    private Uuencoded() {
    }

    /**
     * The blocks in a text, each decoded up to {@code maxBytes}; the text is read line by line and not kept.
     *
     * @throws IOException from the text, or when there are more than {@link #MAX_BLOCKS} blocks
     */
    static List<Block> find(InputStream text, int maxBytes) throws IOException {
        List<Block> blocks = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(text, StandardCharsets.ISO_8859_1));
        String line;
        while ((line = reader.readLine()) != null) {
            Matcher begin = BEGIN.matcher(line);
            if (!begin.matches()) {
                continue;
            }
            if (blocks.size() >= MAX_BLOCKS) {
                throw new IOException("more than " + MAX_BLOCKS + " uuencoded files");
            }
            blocks.add(begin.group(1) == null ? classic(reader, begin.group(3), maxBytes) : base64(reader, begin.group(3), maxBytes));
        }
        return blocks;
    }

    private static Block classic(BufferedReader reader, String name, int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean truncated = false;
        String line;
        while ((line = reader.readLine()) != null && !line.strip().equals("end")) {
            if (line.isEmpty()) {
                continue;
            }
            int length = (line.charAt(0) - 32) & 63;
            for (int i = 1, written = 0; written < length && i < line.length(); i += 4) {
                int[] c = new int[4];
                for (int k = 0; k < 4; k++) {
                    c[k] = i + k < line.length() ? (line.charAt(i + k) - 32) & 63 : 0;
                }
                int[] bytes = {c[0] << 2 | c[1] >> 4, (c[1] & 15) << 4 | c[2] >> 2, (c[2] & 3) << 6 | c[3]};
                for (int k = 0; k < 3 && written < length; k++, written++) {
                    if (out.size() < maxBytes) {
                        out.write(bytes[k] & 0xff);
                    } else {
                        truncated = true;
                    }
                }
            }
        }
        return new Block(name, out.toByteArray(), truncated);
    }

    private static Block base64(BufferedReader reader, String name, int maxBytes) throws IOException {
        StringBuilder encoded = new StringBuilder();
        boolean truncated = false;
        String line;
        while ((line = reader.readLine()) != null && !line.equals("====")) {
            if (encoded.length() / 4 * 3 < maxBytes) {
                encoded.append(line.replaceAll("[^A-Za-z0-9+/=]", ""));
            } else {
                truncated = true;
            }
        }
        byte[] data;
        try {
            data = Base64.getMimeDecoder().decode(encoded.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException("uuencoded (base64) file " + name + " cannot be decoded: " + e.getMessage(), e);
        }
        return new Block(name, data.length > maxBytes ? java.util.Arrays.copyOf(data, maxBytes) : data, truncated || data.length > maxBytes);
    }
}
