package org.mmapsql.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The options of a binding, MMAP's fourth argument: a comma-separated,
 * case-insensitive list such as {@code 'readonly, columns=768'}. Also how the
 * catalog keeps them. A new option is one more case in {@link #parse}.
 *
 * @param readOnly {@code readonly} (or {@code ro}): the file is opened and
 *     mapped read-only, never created, and every write is refused
 * @param columns {@code columns=K}: a headerless file holds a 2-D array with
 *     rows of K elements (0: a 1-D array)
 * @param base {@code base=N}: the table is a shard whose idx starts at N, so
 *     row {@code p} of the file is idx {@code N + p} (0: idx is the position)
 * @param exclusive {@code exclusive}: no other program grows, cuts or replaces
 *     the file, so counts and point reads do not look at it (README, "Files,
 *     safety and durability"): in-place writes of others still show at once,
 *     their length changes once another statement looks at the file
 */
public record MapOptions(boolean readOnly, int columns, long base, boolean exclusive) {
  public static final MapOptions NONE = new MapOptions(false, 0, 0, false);

  public MapOptions(boolean readOnly, int columns) {
    this(readOnly, columns, 0, false);
  }

  /** These options with {@code columns} for columns (a .npy file's, from its header). */
  public MapOptions withColumns(int columns) {
    return new MapOptions(readOnly, columns, base, exclusive);
  }

  /** Parses the option list; null or blank means no options. */
  public static MapOptions parse(String text) {
    boolean readOnly = false;
    int columns = 0;
    long base = 0;
    boolean exclusive = false;
    if (text != null) {
      for (String part : text.split(",")) {
        String opt = part.trim().toLowerCase(Locale.ROOT);
        if (opt.isEmpty()) {
          continue;
        }
        int eq = opt.indexOf('=');
        String key = (eq < 0 ? opt : opt.substring(0, eq)).trim();
        String value = eq < 0 ? null : opt.substring(eq + 1).trim();
        switch (key) {
          case "readonly", "ro" -> {
            flag(key, value);
            readOnly = true;
          }
          case "columns" -> columns = positive(key, value);
          case "base" -> base = base(value);
          case "exclusive" -> {
            flag(key, value);
            exclusive = true;
          }
          default -> throw new MmapException(SqlState.SYNTAX_ERROR, "unknown MMAP option '" + part.trim()
              + "'; options are: readonly (or ro), columns=K, base=N, exclusive");
        }
      }
    }
    return new MapOptions(readOnly, columns, base, exclusive);
  }

  /** A shard's first idx: a whole number from 0 to 2^62 (room for its rows above it). */
  private static long base(String value) {
    try {
      long n = Long.parseLong(value == null ? "" : value);
      if (n >= 0 && n <= 1L << 62) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new MmapException(SqlState.SYNTAX_ERROR, "MMAP option base needs a whole number from 0 to 2^62 (the"
        + " shard's first idx), not '" + value + "' (e.g. base=1000000)");
  }

  private static void flag(String key, String value) {
    if (value != null) {
      throw new MmapException(SqlState.SYNTAX_ERROR, "MMAP option " + key + " takes no value, not '" + value + "'");
    }
  }

  private static int positive(String key, String value) {
    try {
      int k = Integer.parseInt(value == null ? "" : value);
      if (k >= 1 && k <= 100_000) {
        return k;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new MmapException(SqlState.SYNTAX_ERROR, "MMAP option " + key + " needs a whole number from 1 to 100000,"
        + " not '" + value + "' (e.g. " + key + "=768)");
  }

  /** The options as MMAP takes them and the catalog keeps them: {@code readonly,columns=768,base=10,exclusive}, or empty. */
  @Override public String toString() {
    List<String> parts = new ArrayList<>();
    if (readOnly) {
      parts.add("readonly");
    }
    if (columns > 0) {
      parts.add("columns=" + columns);
    }
    if (base > 0) {
      parts.add("base=" + base);
    }
    if (exclusive) {
      parts.add("exclusive");
    }
    return String.join(",", parts);
  }
}
