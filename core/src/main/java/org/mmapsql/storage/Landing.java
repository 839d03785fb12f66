package org.mmapsql.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the rows of one append landed: runs of consecutive rows, {@code {first
 * row, count}}, in the order written. One run, unless another program appended
 * between two chunks of a large append to a headerless file; each chunk's
 * place is exact (see {@link FileHandle#appendAtEnd}).
 */
public final class Landing {
  private final List<long[]> runs = new ArrayList<>();

  void add(long first, long count) {
    if (count == 0) {
      return;
    }
    long[] last = runs.isEmpty() ? null : runs.getLast();
    if (last != null && last[0] + last[1] == first) {
      last[1] += count;
    } else {
      runs.add(new long[] {first, count});
    }
  }

  /** The runs, {@code {first row, count}} each; empty when nothing was appended. */
  public List<long[]> runs() {
    return List.copyOf(runs);
  }

  /** The first row appended, -1 when none was. */
  public long first() {
    return runs.isEmpty() ? -1 : runs.getFirst()[0];
  }

  /** Whether the rows lie together from row {@code first} on (true when there are none). */
  public boolean startsAt(long first) {
    return runs.isEmpty() || runs.size() == 1 && runs.getFirst()[0] == first;
  }

  /** The rows' places as text, {@code "idx 5-9, 12-13"}, {@code base} added to each row. */
  public String describe(long base) {
    StringBuilder b = new StringBuilder("idx ");
    for (long[] r : runs) {
      b.append(b.length() > 4 ? ", " : "").append(base + r[0]);
      if (r[1] > 1) {
        b.append('-').append(base + r[0] + r[1] - 1);
      }
    }
    return b.toString();
  }
}
