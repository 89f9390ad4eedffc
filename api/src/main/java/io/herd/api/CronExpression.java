package io.herd.api;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A cron schedule: the standard five fields ({@code minute hour day-of-month month day-of-week}) with ranges,
 * lists, steps and names ({@code JAN}, {@code MON}), an optional leading seconds field (six fields), and the
 * macros {@code @yearly @monthly @weekly @daily @hourly}. As in Vixie cron, when both day fields are restricted a
 * day matches either of them.
 *
 * <p>Times are matched in a time zone. Around daylight saving changes it behaves as Vixie cron does: a local
 * time that does not exist (skipped by a spring-forward) fires at the moment the clock jumps, and a local time
 * that occurs twice (fall-back) fires once, at its first occurrence.
 */
public final class CronExpression {
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    /** No schedule skips more than this many years between two firings (Feb 29 on a Monday is about 28). */
    private static final int SEARCH_YEARS = 30;

    private final String text;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;
    private final boolean hasSeconds;

    private CronExpression(String text, String[] fields) {
        this.text = text;
        int offset = fields.length == 6 ? 1 : 0;
        this.hasSeconds = offset == 1;
        this.seconds = offset == 1 ? field(fields[0], "second", 0, 59, List.of()) : bits(0);
        this.minutes = field(fields[offset], "minute", 0, 59, List.of());
        this.hours = field(fields[offset + 1], "hour", 0, 23, List.of());
        this.daysOfMonth = field(fields[offset + 2], "day of month", 1, 31, List.of());
        this.months = field(fields[offset + 3], "month", 1, 12, MONTHS);
        BitSet weekDays = field(fields[offset + 4], "day of week", 0, 7, DAYS);
        if (weekDays.get(7)) {
            weekDays.set(0); // 7 is Sunday too
        }
        this.daysOfWeek = weekDays;
        this.dayOfMonthRestricted = !isWildcard(fields[offset + 2]);
        this.dayOfWeekRestricted = !isWildcard(fields[offset + 4]);
    }

    /** Parses a schedule; throws {@link IllegalArgumentException} with a message that says what is wrong. */
    public static CronExpression parse(String text) {
        requireNonNull(text, "text is null");
        String trimmed = text.trim();
        String expanded = trimmed.startsWith("@") ? MACROS.get(trimmed.toLowerCase(Locale.ROOT)) : trimmed;
        if (expanded == null) {
            throw new IllegalArgumentException("unknown macro " + trimmed
                    + " (expected @yearly, @monthly, @weekly, @daily or @hourly)");
        }
        String[] fields = expanded.split("\\s+");
        if (fields.length != 5 && fields.length != 6) {
            throw new IllegalArgumentException("has " + fields.length
                    + " fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)");
        }
        return new CronExpression(trimmed, fields);
    }

    /** The schedule as written. */
    public String text() {
        return text;
    }

    /** Whether the schedule has a seconds field: it may fire more than once a minute. */
    public boolean hasSeconds() {
        return hasSeconds;
    }

    /**
     * The first firing strictly after {@code after}, in {@code zone}; empty when the schedule never fires again
     * (e.g. {@code 0 0 30 2 *}).
     */
    public Optional<Instant> next(Instant after, ZoneId zone) {
        requireNonNull(after, "after is null");
        requireNonNull(zone, "zone is null");
        LocalDateTime local = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        LocalDateTime limit = local.plusYears(SEARCH_YEARS);
        while (local.isBefore(limit)) {
            if (!months.get(local.getMonthValue())) {
                local = local.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
                continue;
            }
            if (!dayMatches(local.toLocalDate())) {
                local = local.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (!hours.get(local.getHour())) {
                local = local.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (!minutes.get(local.getMinute())) {
                local = local.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
                continue;
            }
            if (!seconds.get(local.getSecond())) {
                local = local.plusSeconds(1);
                continue;
            }
            Optional<Instant> fire = toInstant(local, zone, after);
            if (fire.isPresent()) {
                return fire;
            }
            local = local.plusSeconds(1);
        }
        return Optional.empty();
    }

    /** The next {@code count} firings after {@code after}. */
    public List<Instant> nextTimes(Instant after, ZoneId zone, int count) {
        List<Instant> times = new ArrayList<>();
        Instant cursor = after;
        for (int i = 0; i < count; i++) {
            Optional<Instant> next = next(cursor, zone);
            if (next.isEmpty()) {
                break;
            }
            times.add(next.get());
            cursor = next.get();
        }
        return times;
    }

    /**
     * The instant of a matching local time, if it is after {@code after}: a time in a spring-forward gap maps to
     * the jump itself; of a time that occurs twice, the first occurrence after {@code after}.
     */
    private static Optional<Instant> toInstant(LocalDateTime local, ZoneId zone, Instant after) {
        var rules = zone.getRules();
        var offsets = rules.getValidOffsets(local);
        if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = rules.getTransition(local);
            Instant jump = gap.getInstant();
            return jump.isAfter(after) ? Optional.of(jump) : Optional.empty();
        }
        for (var offset : offsets) {
            // The earlier offset first: a repeated local time fires at its first occurrence. The later one is
            // only reached when the search started inside the repeated hour, after the first occurrence.
            Instant candidate = local.toInstant(offset);
            if (candidate.isAfter(after)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private boolean dayMatches(LocalDate date) {
        boolean dayOfMonth = daysOfMonth.get(date.getDayOfMonth());
        int weekDay = date.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : date.getDayOfWeek().getValue();
        boolean dayOfWeek = daysOfWeek.get(weekDay);
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dayOfMonth || dayOfWeek;
        }
        return dayOfMonth && dayOfWeek;
    }

    private static boolean isWildcard(String field) {
        return field.equals("*") || field.equals("?");
    }

    private static BitSet field(String text, String name, int min, int max, List<String> names) {
        BitSet set = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException(name + " field " + quote(text) + " has an empty list element");
            }
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, part, List.of(), 1, Integer.MAX_VALUE);
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max == 7 ? 6 : max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", 2);
                from = number(ends[0], name, part, names, min, max);
                to = number(ends[1], name, part, names, min, max);
                if (to < from) {
                    throw new IllegalArgumentException(name + " range " + quote(part) + " ends before it starts");
                }
            } else {
                from = number(range, name, part, names, min, max);
                // "5/15" means from 5 to the end in steps of 15
                to = slash >= 0 ? (max == 7 ? 6 : max) : from;
            }
            for (int value = from; value <= to; value += step) {
                set.set(value);
            }
        }
        return set;
    }

    private static int number(String text, String name, String part, List<String> names, int min, int max) {
        int index = names.indexOf(text.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            return names.size() == 12 ? index + 1 : index;
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " field " + quote(part) + ": " + quote(text)
                    + " is not a number" + (names.isEmpty() ? "" : " or a name (" + names.getFirst() + ", ...)"));
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is out of range " + min + "-" + max);
        }
        return value;
    }

    private static BitSet bits(int value) {
        BitSet set = new BitSet();
        set.set(value);
        return set;
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }

    @Override
    public String toString() {
        return text;
    }
}
