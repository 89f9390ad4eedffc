package io.herd.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** The figures of one benchmark run, in the order they were put, printed as one line of JSON. */
final class Figures {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private final Map<String, Object> values = new LinkedHashMap<>();

    Figures put(String name, Object value) {
        values.put(name, value instanceof Double number ? round(number) : value);
        return this;
    }

    Figures put(String name, Figures nested) {
        values.put(name, nested.values);
        return this;
    }

    Object get(String name) {
        return values.get(name);
    }

    /** The figures as put, nested figures as maps. */
    Map<String, Object> toMap() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** Whole numbers from 1,000 up, else four significant digits: more than these measurements can tell. */
    static Object round(double value) {
        if (!Double.isFinite(value)) {
            return null;
        }
        if (Math.abs(value) >= 1000 || value == Math.rint(value)) {
            return Math.round(value);
        }
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros();
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
