package dev.bulwark.scanner.endpoint;

import java.util.Objects;

/** An endpoint with its share of the load: {@code host:port} or {@code host:port;weight=N} (default 1). */
public record WeightedEndpoint(Endpoint endpoint, int weight) {
    private static final String WEIGHT = ";weight=";

    public WeightedEndpoint {
        Objects.requireNonNull(endpoint, "endpoint");
        if (weight < 1 || weight > 1000) {
            throw new IllegalArgumentException("weight " + weight + " is not between 1 and 1000");
        }
    }

    public static WeightedEndpoint parse(String value) {
        String trimmed = value == null ? "" : value.trim();
        int weightAt = trimmed.indexOf(WEIGHT);
        if (weightAt < 0) {
            if (trimmed.contains(";")) {
                throw new IllegalArgumentException("'" + trimmed + "': only ;weight=N may follow host:port");
            }
            return new WeightedEndpoint(Endpoint.parse(trimmed), 1);
        }
        String weight = trimmed.substring(weightAt + WEIGHT.length());
        try {
            return new WeightedEndpoint(Endpoint.parse(trimmed.substring(0, weightAt)), Integer.parseInt(weight));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + trimmed + "' has a weight that is not a number");
        }
    }

    @Override
    public String toString() {
        return weight == 1 ? endpoint.toString() : endpoint + WEIGHT + weight;
    }
}
