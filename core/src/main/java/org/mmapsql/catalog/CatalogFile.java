package org.mmapsql.catalog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.mmapsql.MmapException;

/**
 * The list of bindings kept in the data directory, one line each:
 * {@code name TAB type TAB options TAB path} (version 2; a version 1 line,
 * {@code name TAB type TAB path}, has no options and is read as such). Replaced atomically: written to a temporary
 * file, forced, renamed over the old one, and the directory forced.
 */
final class CatalogFile {
  static final String FILE_NAME = ".mmapsql-catalog";
  private static final String HEADER = "# mmapsql catalog v2: name, type, options, path";
  private static final String V1 = "# mmapsql catalog v1";

  /** A binding: its name, numpy dtype code, options ({@link MapOptions#toString()}) and stored path. */
  record Entry(String name, String type, String options, String path) {
  }

  private final Path file;
  private final Path dir;

  CatalogFile(Path dataDir) {
    this.dir = dataDir;
    this.file = dataDir.resolve(FILE_NAME);
  }

  List<Entry> read() {
    List<Entry> entries = new ArrayList<>();
    if (!Files.exists(file)) {
      return entries;
    }
    try {
      boolean v1 = false;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith(V1)) {
          v1 = true;
        }
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", v1 ? 3 : 4);
        if (f.length != (v1 ? 3 : 4)) {
          throw new MmapException("catalog " + file + " is damaged at line: " + line);
        }
        entries.add(v1 ? new Entry(f[0], f[1], "", f[2]) : new Entry(f[0], f[1], f[2], f[3]));
      }
    } catch (IOException e) {
      throw new MmapException("cannot read catalog " + file + ": " + e.getMessage(), e);
    }
    return entries;
  }

  void write(List<Entry> entries) {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    for (Entry e : entries) {
      b.append(e.name()).append('\t').append(e.type()).append('\t').append(e.options()).append('\t')
          .append(e.path()).append('\n');
    }
    Path tmp = dir.resolve(FILE_NAME + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        var buf = java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new MmapException("cannot write catalog " + file + ": " + e.getMessage(), e);
    }
  }
}
