package org.mmapsql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a data directory holds on disk: every entry and the bytes of every
 * regular file (the lock file, whose content names the holder, aside). Two
 * equal states mean a statement changed nothing on disk.
 */
record DirState(Map<String, String> files) {
  static DirState of(Path dir) {
    Map<String, String> files = new LinkedHashMap<>();
    for (String name : TestDb.listing(dir)) {
      Path p = dir.resolve(name);
      if (name.equals(".mmapsql.lock")) {
        files.put(name, "(lock)");
      } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        files.put(name, Arrays.toString(TestDb.bytes(p)));
      } else if (Files.isSymbolicLink(p)) {
        try {
          files.put(name, "-> " + Files.readSymbolicLink(p));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else {
        files.put(name, Files.isDirectory(p) ? "(dir)" : "(other)");
      }
    }
    return new DirState(files);
  }

  /** The state of several directories, e.g. the data directory and an outside one. */
  static List<DirState> of(Path... dirs) {
    return Arrays.stream(dirs).map(DirState::of).toList();
  }
}
