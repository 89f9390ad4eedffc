package io.herd.api;

import java.time.Instant;

/**
 * One entry of a task log's time index: the log was {@code offset} bytes long at {@code time}. Bytes before
 * {@code offset} (and after the previous entry's) were written at or before {@code time}; see the agent's
 * {@code LogTimeIndex}.
 */
public record LogTime(long offset, Instant time) {}
