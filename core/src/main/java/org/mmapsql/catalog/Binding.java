package org.mmapsql.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.ElementType;
import org.mmapsql.storage.FileReplacedException;
import org.mmapsql.storage.MappedArray;

/**
 * A table name bound to a file. The file may be missing (deleted while the
 * directory was closed); then the binding stays, shows why in
 * {@code sys.mappings}, and is opened again as soon as the file is back.
 */
public final class Binding {
  private final String name;
  private final String storedPath;
  private final Path file;
  private final ElementType type;
  private final PathPolicy paths;
  private MappedArray array;
  private String problem;
  private boolean removed;

  Binding(String name, String storedPath, Path file, ElementType type, PathPolicy paths) {
    this.name = name;
    this.paths = paths;
    this.storedPath = storedPath;
    this.file = file;
    this.type = type;
  }

  public String name() {
    return name;
  }

  /** The path as kept in the catalog: relative to the data directory when inside it. */
  public String storedPath() {
    return storedPath;
  }

  public Path file() {
    return file;
  }

  public ElementType type() {
    return type;
  }

  /** The open array, opening it if needed; throws if the file cannot be opened. */
  public synchronized MappedArray array() {
    if (removed) {
      throw new MmapException(SqlState.UNDEFINED_TABLE, "table " + name + " is not mapped (any more)");
    }
    if (array == null || array.isClosed()) {
      array = null;
      try {
        array = openChecked();
        problem = null;
      } catch (IOException | MmapException e) {
        problem = Files.exists(file) ? "error: " + e.getMessage() : "missing";
        throw new MmapException(SqlState.IO_ERROR, "table " + name + " is unavailable: "
            + ("missing".equals(problem) ? "file " + file + " is missing" : problem), e);
      }
    }
    return array;
  }

  /**
   * Opens the file the stored path names, checking the path before and the
   * opened file after: a directory swapped for a link in between cannot lead
   * outside the permitted directories.
   */
  private MappedArray openChecked() throws IOException {
    MappedArray a = MappedArray.open(paths.resolve(storedPath), type);
    Path opened = a.openedPath();
    if (!paths.permitted(opened)) {
      a.close();
      throw new MmapException(SqlState.INSUFFICIENT_PRIVILEGE, "path '" + storedPath + "' now leads to " + opened
          + ", outside the permitted directories; refused");
    }
    return a;
  }

  /**
   * The array with its length as the file has it now, for the start of a
   * statement. If the path names another file than the one open (renamed over,
   * recreated), that file is opened instead, through the same checks as MMAP.
   */
  public MappedArray refreshed() {
    MappedArray replaced;
    synchronized (this) {
      MappedArray a = array();
      try {
        a.refresh();
        return a;
      } catch (FileReplacedException e) {
        replaced = a;
        array = null;
      }
    }
    replaced.close(); // outside the monitor: it waits for a write running on the old file
    MappedArray a = array();
    a.refresh();
    return a;
  }

  /** The array if it is open, without trying to open it. */
  synchronized MappedArray openArray() {
    return array;
  }

  /** {@code ok}, {@code missing}, {@code partial: N trailing bytes} or {@code error: ...}. */
  public synchronized String status() {
    try {
      MappedArray a = refreshed();
      return a.tailBytes() == 0 ? "ok" : "partial: " + a.tailBytes() + " trailing bytes";
    } catch (MmapException e) {
      return problem != null ? problem : "error: " + e.getMessage();
    }
  }

  /** Unbinds: closes the file, and this binding opens nothing any more. */
  synchronized void close() {
    removed = true;
    if (array != null) {
      array.close();
      array = null;
    }
  }
}
