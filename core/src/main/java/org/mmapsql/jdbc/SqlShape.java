package org.mmapsql.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * A statement's text with its numeric literals cut out: the shape is the text
 * with each number replaced by a marker of its kind ({@code ?i} whole,
 * {@code ?d} with a point, {@code ?e} with an exponent), and the numbers are
 * kept in text order. Shape and numbers together give back the text exactly,
 * so two statements with the same shape differ only in their numbers. This
 * is a scan of characters, no parse: it only has to skip quoted text and
 * comments; anything it takes for a number that Calcite's parser does not is
 * harmless, because the cache keeps such a slot fixed (see {@link PlanCache}).
 */
final class SqlShape {
  /** The kinds of numeric literal, as the shape marks them. */
  enum Kind {
    WHOLE('i'), POINT('d'), EXPONENT('e');

    final char mark;

    Kind(char mark) {
      this.mark = mark;
    }
  }

  /** One number of the text: where it starts and ends, and its kind. */
  record Slot(int start, int end, Kind kind) {
  }

  final String sql;
  final String shape;
  final List<Slot> slots;
  /** A {@code ?} outside quotes and comments: the statement has parameters of its own. */
  final boolean hasParameters;

  private SqlShape(String sql, String shape, List<Slot> slots, boolean hasParameters) {
    this.sql = sql;
    this.shape = shape;
    this.slots = slots;
    this.hasParameters = hasParameters;
  }

  String text(int slot) {
    Slot s = slots.get(slot);
    return sql.substring(s.start(), s.end());
  }

  static SqlShape of(String sql) {
    StringBuilder shape = new StringBuilder(sql.length());
    List<Slot> slots = new ArrayList<>(4);
    boolean params = false;
    boolean operandBefore = false; // whether a '-' here would subtract (after a name, a number, ')') or negate
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      int end;
      if (c == '-' && !operandBefore && i + 1 < n && (isDigit(sql.charAt(i + 1)) || sql.charAt(i + 1) == '.')) {
        end = number(sql, i + 1, slots);
        if (end > i + 1) { // a negative number: one slot with its sign, so that -5 and -6 share a shape
          Slot unsigned = slots.removeLast();
          slots.add(new Slot(i, end, unsigned.kind()));
          shape.append('?').append(unsigned.kind().mark);
          i = end;
          operandBefore = true;
          continue;
        }
      }
      if (c == '\'' || c == '"' || c == '`') {
        end = quoted(sql, i, c);
        operandBefore = true;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (isIdentifierPart(c)) {
        end = i;
        if (isDigit(c) || c == '.') {
          end = number(sql, i, slots);
        }
        if (end == i) { // a word (or a point that starts no number): copied whole
          end = i + 1;
          while (end < n && isIdentifierPart(sql.charAt(end)) && sql.charAt(end) != '.') {
            end++;
          }
          operandBefore = c != '.' && !KEYWORDS.contains(sql.substring(i, end).toUpperCase(java.util.Locale.ROOT));
        } else {
          shape.append('?').append(slots.getLast().kind().mark);
          i = end;
          operandBefore = true;
          continue;
        }
      } else {
        params |= c == '?';
        end = i + 1;
        if (!Character.isWhitespace(c)) {
          operandBefore = c == ')' || c == '?';
        }
      }
      shape.append(sql, i, end);
      i = end;
    }
    return new SqlShape(sql, shape.toString(), slots, params);
  }

  /** Words after which a '-' negates: a number there is negative. */
  private static final java.util.Set<String> KEYWORDS = java.util.Set.of("SELECT", "WHERE", "AND", "OR", "NOT",
      "BETWEEN", "IN", "IS", "LIKE", "CASE", "WHEN", "THEN", "ELSE", "HAVING", "ON", "BY", "LIMIT", "OFFSET",
      "FETCH", "VALUES", "SET", "RETURN", "DISTINCT", "ALL", "ANY", "SOME", "SYMMETRIC", "ASYMMETRIC");

  /** End of the quoted text starting at {@code i} (doubled quotes are part of it). */
  private static int quoted(String sql, int i, char quote) {
    int j = i + 1;
    while (j < sql.length()) {
      if (sql.charAt(j) == quote) {
        if (j + 1 < sql.length() && sql.charAt(j + 1) == quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return sql.length();
  }

  /**
   * If a number starts at {@code i} (digits, an optional point and digits, an
   * optional exponent, not followed by a letter), adds its slot and returns its
   * end; otherwise returns {@code i}.
   */
  private static int number(String sql, int i, List<Slot> slots) {
    int n = sql.length();
    int j = i;
    while (j < n && isDigit(sql.charAt(j))) {
      j++;
    }
    Kind kind = Kind.WHOLE;
    if (j < n && sql.charAt(j) == '.') {
      int k = j + 1;
      while (k < n && isDigit(sql.charAt(k))) {
        k++;
      }
      if (k == i + 1) { // a lone point
        return i;
      }
      kind = Kind.POINT;
      j = k;
    }
    if (j < n && (sql.charAt(j) == 'e' || sql.charAt(j) == 'E')) {
      int k = j + 1;
      if (k < n && (sql.charAt(k) == '+' || sql.charAt(k) == '-')) {
        k++;
      }
      int digits = k;
      while (k < n && isDigit(sql.charAt(k))) {
        k++;
      }
      if (k == digits) {
        return i;
      }
      kind = Kind.EXPONENT;
      j = k;
    }
    if (j < n && (isIdentifierPart(sql.charAt(j)))) {
      return i; // 5abc or 1.2.3: not a number this scan understands
    }
    slots.add(new Slot(i, j, kind));
    return j;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Letters, digits, {@code _}, {@code $}, and the point that joins names and numbers. */
  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.';
  }
}
