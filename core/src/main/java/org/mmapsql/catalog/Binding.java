package org.mmapsql.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.Dtype;
import org.mmapsql.storage.FileReplacedException;
import org.mmapsql.storage.Layout;
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
  /** The dtype as bound: given to MMAP or read from a .npy header; the code of a structured dtype. */
  private final String type;
  private final MapOptions options;
  private final PathPolicy paths;
  private MappedArray array;
  private volatile String problem;
  private boolean removed;

  Binding(String name, String storedPath, Path file, String type, MapOptions options, PathPolicy paths) {
    this.name = name;
    this.paths = paths;
    this.storedPath = storedPath;
    this.file = file;
    this.type = type;
    this.options = options;
  }

  /** Whether a path names a .npy file, whose header says what it holds. */
  public static boolean isNpy(Path file) {
    return file.getFileName() != null && file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy");
  }

  /** The layout of a headerless file bound with {@code type} and {@code options}. */
  static Layout rawLayout(String type, MapOptions options) {
    return Layout.raw(Dtype.parse(type), options.columns());
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

  /** numpy's code of the dtype as bound: {@code <f4}, {@code >i8}, or a structured dtype's list. */
  public String type() {
    return type;
  }

  public MapOptions options() {
    return options;
  }

  /**
   * What the file holds: the open array's layout, or while the file cannot be
   * opened, the layout its type and options describe (not known for a
   * structured dtype).
   */
  public Layout layout() {
    try {
      return array().layout();
    } catch (MmapException e) {
      if (type.startsWith("[")) {
        throw e;
      }
      return rawLayout(type, options);
    }
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
    Path path = paths.resolve(storedPath);
    MappedArray a = MappedArray.open(path, isNpy(path) ? null : rawLayout(type, options), options.readOnly());
    if (options.exclusive()) {
      a.trustOwnChanges();
    }
    if (!a.layout().typeCode().equals(type)) {
      a.close();
      throw new MmapException(SqlState.DATA_EXCEPTION, "the header of " + storedPath + " now says "
          + a.layout().typeCode() + ", but the table was bound as " + type + "; UNMAP and MMAP it again");
    }
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
    return refreshed(false);
  }

  /** {@link #refreshed} for a statement that reads no row ({@link MappedArray#counted} if {@code counts}). */
  public MappedArray refreshed(boolean counts) {
    MappedArray replaced;
    synchronized (this) {
      MappedArray a = array();
      try {
        if (counts) {
          a.counted();
        } else {
          a.refresh();
        }
        return a;
      } catch (FileReplacedException e) {
        replaced = a;
        array = null;
      }
    }
    replaced.closeWhenRead(); // a write, a scan or an aggregate may still run on the old file: it finishes there
    MappedArray a = array();
    a.refresh();
    return a;
  }

  /** The array if it is open, without trying to open it. */
  synchronized MappedArray openArray() {
    return array;
  }

  /** {@code ok}, {@code missing}, {@code partial: N trailing bytes} or {@code error: ...}. */
  public String status() {
    try {
      MappedArray a = refreshed();
      return a.tailBytes() == 0 ? "ok" : "partial: " + a.tailBytes() + " trailing bytes";
    } catch (MmapException e) {
      return problem != null ? problem : "error: " + e.getMessage();
    }
  }

  /**
   * Unbinds: this binding opens nothing any more, and its file is closed, at
   * once or, if a write statement still runs on it, when that ends. Never
   * waits for the write under this binding's monitor (the write may need the
   * monitor to finish: {@code INSERT INTO t VALUES (VPOP('t'))} racing UNMAP),
   * and never waits at all unless {@code wait}.
   */
  void close(boolean wait) {
    MappedArray a;
    synchronized (this) {
      removed = true;
      a = array;
      array = null;
    }
    if (a != null) {
      if (wait) {
        a.close();
      } else {
        a.closeWhenFree();
      }
    }
  }
}
