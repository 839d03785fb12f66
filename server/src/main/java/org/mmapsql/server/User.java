package org.mmapsql.server;

import java.util.Locale;

/**
 * Who sends a request: a user of the users file, or {@link #ANONYMOUS} when the
 * server runs without authentication.
 */
public record User(String name, Role role) {
  /** Everyone, on a server without a users file. */
  public static final User ANONYMOUS = new User("", Role.READWRITE);

  /** What a user may do. */
  public enum Role {
    /** Queries and writes: MMAP, UNMAP, VPOP, INSERT, UPDATE, DELETE. */
    READWRITE,
    /** Queries only. */
    READONLY;

    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Role of(String word) {
      return switch (word.trim().toLowerCase(Locale.ROOT)) {
        case "readwrite" -> READWRITE;
        case "readonly" -> READONLY;
        default -> throw new IllegalArgumentException(
            "unknown role '" + word + "': use readwrite or readonly");
      };
    }
  }
}
