package org.mmapsql.trino;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.Range;

/** A run of positions {@code [from, to)} in an array's global idx. */
public record IdxRange(@JsonProperty("from") long from, @JsonProperty("to") long to) {
  /** Every idx there is. */
  public static final List<IdxRange> ALL = List.of(new IdxRange(0, Long.MAX_VALUE));

  @JsonCreator public IdxRange {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("bad idx range [" + from + ", " + to + ")");
    }
  }

  public long length() {
    return to - from;
  }

  @Override public String toString() {
    return to == Long.MAX_VALUE ? "[" + from + ", ∞)" : "[" + from + ", " + to + ")";
  }

  /**
   * The positions a Trino domain on idx admits, as sorted disjoint ranges; NULL never
   * matches since idx is never NULL.
   */
  static List<IdxRange> of(Domain domain) {
    if (domain.isAll()) {
      return ALL;
    }
    List<IdxRange> out = new ArrayList<>();
    for (Range r : domain.getValues().getRanges().getOrderedRanges()) {
      long from = r.isLowUnbounded() ? 0 : (long) r.getLowBoundedValue() + (r.isLowInclusive() ? 0 : 1);
      long to;
      if (r.isHighUnbounded()) {
        to = Long.MAX_VALUE;
      } else {
        long high = (long) r.getHighBoundedValue();
        to = r.isHighInclusive() ? (high == Long.MAX_VALUE ? Long.MAX_VALUE : high + 1) : high;
      }
      from = Math.max(from, 0);
      if (from < to) {
        out.add(new IdxRange(from, to));
      }
    }
    return out;
  }

  /** The positions in both {@code a} and {@code b} (each sorted and disjoint). */
  static List<IdxRange> intersect(List<IdxRange> a, List<IdxRange> b) {
    List<IdxRange> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() && j < b.size()) {
      long from = Math.max(a.get(i).from, b.get(j).from);
      long to = Math.min(a.get(i).to, b.get(j).to);
      if (from < to) {
        out.add(new IdxRange(from, to));
      }
      if (a.get(i).to < b.get(j).to) {
        i++;
      } else {
        j++;
      }
    }
    return out;
  }

  /** The part of {@code ranges} inside {@code [from, to)}, or empty. */
  static List<IdxRange> within(List<IdxRange> ranges, long from, long to) {
    return intersect(ranges, List.of(new IdxRange(from, to)));
  }

  static long count(List<IdxRange> ranges) {
    long n = 0;
    for (IdxRange r : ranges) {
      n += r.length();
    }
    return n;
  }

  /** Cuts {@code ranges} into consecutive pieces of at most {@code rows} positions each. */
  static List<List<IdxRange>> pieces(List<IdxRange> ranges, long rows) {
    List<List<IdxRange>> out = new ArrayList<>();
    List<IdxRange> piece = new ArrayList<>();
    long room = rows;
    for (IdxRange r : ranges) {
      long from = r.from;
      while (from < r.to) {
        long to = from + Math.min(room, r.to - from);
        piece.add(new IdxRange(from, to));
        room -= to - from;
        from = to;
        if (room == 0) {
          out.add(piece);
          piece = new ArrayList<>();
          room = rows;
        }
      }
    }
    if (!piece.isEmpty()) {
      out.add(piece);
    }
    return out;
  }

  /** The first {@code limit} positions of {@code ranges}. */
  static List<IdxRange> first(List<IdxRange> ranges, long limit) {
    List<List<IdxRange>> p = pieces(ranges, limit);
    return p.isEmpty() ? List.of() : p.get(0);
  }

  static Optional<IdxRange> span(List<IdxRange> ranges) {
    return ranges.isEmpty() ? Optional.empty()
        : Optional.of(new IdxRange(ranges.get(0).from, ranges.get(ranges.size() - 1).to));
  }
}
