package org.mmapsql.storage;

import org.mmapsql.MmapException;

/**
 * The path of a mapped file now names another file (renamed over, or
 * recreated by another program). Whoever bound the path decides whether the
 * new file may be opened: see {@code Binding}.
 */
public final class FileReplacedException extends MmapException {
  public FileReplacedException(String message) {
    super(message);
  }
}
