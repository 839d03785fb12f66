package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PathStat} says what {@code Files.readAttributes} says of a path: the
 * size of the file open, whether the path still names that file (not after a
 * rename over it or a copy put in its place; still after a hard link), and
 * failure when the path is gone.
 */
class PathStatTest {
  @TempDir Path dir;

  @Test void sizeAndIdentityAsJavaSeesThem() throws Exception {
    Path f = dir.resolve("a.f8");
    Files.write(f, new byte[24]);
    FileHandle handle = FileHandle.open(f, true);
    try {
      PathStat stat = PathStat.of(f, handle.self());
      assertNotNull(stat, "statx is there on Linux");
      assertEquals(24, stat.size());
      Files.write(f, new byte[16], StandardOpenOption.APPEND);
      assertEquals(Files.size(f), stat.size());
      try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.truncate(8);
      }
      assertEquals(8, stat.size());
      // another name for the same file is still the file
      Files.move(f, dir.resolve("b.f8"));
      Files.createLink(f, dir.resolve("b.f8"));
      assertEquals(8, stat.size());
      // a copy in its place is another file
      Files.delete(f);
      Files.copy(dir.resolve("b.f8"), f);
      assertEquals(PathStat.OTHER_FILE, stat.size());
      Files.write(dir.resolve("c.f8"), new byte[8]);
      Files.move(dir.resolve("c.f8"), f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      assertEquals(PathStat.OTHER_FILE, stat.size());
      Files.delete(f);
      assertEquals(PathStat.FAILED, stat.size());
      Files.createLink(f, dir.resolve("b.f8"));
      assertEquals(8, stat.size());
    } finally {
      handle.close();
    }
  }
}
