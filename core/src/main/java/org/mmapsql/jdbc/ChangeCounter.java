package org.mmapsql.jdbc;

/**
 * A connection that counts what its statements changed since the last commit:
 * rows written, and what functions change (a row popped, a binding made or
 * removed), so that {@code rollback()}, which cannot undo them, says so.
 */
public interface ChangeCounter {
  void changed(long count);
}
