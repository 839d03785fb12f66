package org.mmapsql.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.mmapsql.MmapException;
import org.mmapsql.storage.ElementType;
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

  Binding(String name, String storedPath, Path file, ElementType type, PathPolicy paths,
      MappedArray array) {
    this.name = name;
    this.paths = paths;
    this.storedPath = storedPath;
    this.file = file;
    this.type = type;
    this.array = array;
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
    if (array == null || array.isClosed()) {
      try {
        // The path is checked again each time the file is opened.
        array = MappedArray.open(paths.resolve(storedPath), type);
        problem = null;
      } catch (IOException | MmapException e) {
        array = null;
        problem = Files.exists(file) ? "error: " + e.getMessage() : "missing";
        throw new MmapException("table " + name + " is unavailable: "
            + ("missing".equals(problem) ? "file " + file + " is missing" : problem), e);
      }
    }
    return array;
  }

  /** The array if it is open, without trying to open it. */
  synchronized MappedArray openArray() {
    return array;
  }

  /** {@code ok}, {@code missing}, {@code partial: N trailing bytes} or {@code error: ...}. */
  public synchronized String status() {
    try {
      MappedArray a = array();
      a.refresh();
      return a.tailBytes() == 0 ? "ok" : "partial: " + a.tailBytes() + " trailing bytes";
    } catch (MmapException e) {
      return problem != null ? problem : "error: " + e.getMessage();
    }
  }

  synchronized void close() {
    if (array != null) {
      array.close();
      array = null;
    }
  }
}
