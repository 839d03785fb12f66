package org.mmapsql.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Decides which files MMAP may reach: those whose real path (symlinks resolved)
 * lies inside the data directory or one of the allowed directories, and which
 * are regular files. Relative paths resolve against the data directory.
 */
public final class PathPolicy {
  /** Files of the data directory that belong to mmapsql itself and never map. */
  static final String RESERVED_PREFIX = ".mmapsql";

  private final Path dataDir;
  private final List<Path> allowed;

  PathPolicy(Path dataDir, List<Path> allowedDirectories) {
    this.dataDir = dataDir;
    this.allowed = allowedDirectories.stream().map(PathPolicy::realDirectory).toList();
  }

  private static Path realDirectory(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new MmapException("allowed directory " + dir + " does not exist");
    }
  }

  /**
   * Resolves a path given to MMAP to the real path of the file it names (which
   * may not exist yet). Throws if it leads outside the permitted directories or
   * names something that is not a regular file.
   */
  public Path resolve(String given) {
    if (given == null || given.isBlank()) {
      throw new MmapException(SqlState.DATA_EXCEPTION, "path must not be empty");
    }
    if (given.indexOf('\0') >= 0 || given.chars().anyMatch(c -> c < 0x20)) {
      throw new MmapException(SqlState.DATA_EXCEPTION, "path contains control characters");
    }
    Path p = dataDir.resolve(given).normalize();
    Path real;
    try {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        real = p.toRealPath();
      } else {
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
          throw new MmapException(SqlState.IO_ERROR, "directory of '" + given + "' does not exist");
        }
        real = parent.toRealPath().resolve(p.getFileName().toString());
        if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
          real = real.toRealPath(); // a dangling symlink that now resolves
        }
      }
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "cannot resolve '" + given + "': " + e.getMessage());
    }
    if (!permitted(real)) {
      throw new MmapException(SqlState.INSUFFICIENT_PRIVILEGE, "path '" + given + "' is outside the data directory " + dataDir
          + " and the allowed directories; refused");
    }
    if (real.getFileName().toString().startsWith(RESERVED_PREFIX) && real.getParent().equals(dataDir)) {
      throw new MmapException(SqlState.INSUFFICIENT_PRIVILEGE, "'" + given + "' is a file of mmapsql itself and cannot be mapped");
    }
    if (Files.exists(real) && !Files.isRegularFile(real)) {
      throw new MmapException(SqlState.IO_ERROR, "'" + given + "' is not a regular file; only regular files can be mapped");
    }
    return real;
  }

  boolean permitted(Path real) {
    if (real.startsWith(dataDir) && !real.equals(dataDir)) {
      return true;
    }
    for (Path dir : allowed) {
      if (real.startsWith(dir) && !real.equals(dir)) {
        return true;
      }
    }
    return false;
  }

  /** The form a path is stored in the catalog: relative to the data directory when inside it. */
  String toStored(Path real) {
    return real.startsWith(dataDir) ? dataDir.relativize(real).toString() : real.toString();
  }
}
