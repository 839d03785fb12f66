package org.mmapsql.schema;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * What one connection chooses for itself.
 *
 * @param syncWrites {@code durability=sync}: force written data to disk before
 *     each write statement returns (default: within about a second)
 * @param readOnly {@code readonly=true}: MMAP, UNMAP, VPOP, INSERT, UPDATE and
 *     DELETE fail on this connection and change nothing (the server sets it for
 *     users with the role {@code readonly})
 */
public record ConnectionSettings(boolean syncWrites, boolean readOnly) {
  /** Throws unless this connection may write; {@code what} names the refused operation. */
  public void requireWritable(String what) {
    if (readOnly) {
      throw new MmapException(SqlState.READ_ONLY, "read-only connection: " + what
          + " is not allowed (readonly=true); nothing was changed");
    }
  }
}
