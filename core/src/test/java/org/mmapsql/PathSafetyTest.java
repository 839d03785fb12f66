package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MMAP maps only regular files inside the data directory or an allowed
 * directory: absolute paths, {@code ..} and symlinks that lead elsewhere,
 * devices, FIFOs, directories and mmapsql's own files are refused, and a
 * refusal creates or changes nothing.
 */
class PathSafetyTest {
  @TempDir Path root;
  private Path data;
  private Path outside;
  private TestDb db;

  @BeforeEach void setUp() throws IOException {
    data = Files.createDirectory(root.resolve("data"));
    outside = Files.createDirectory(root.resolve("outside"));
    TestDb.writeDoubles(outside.resolve("secret.mmap"), 1, 2, 3);
  }

  @AfterEach void tearDown() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  private TestDb open(String props) throws SQLException {
    db = TestDb.open(data, props);
    return db;
  }

  /** MMAP('x', path) fails with the fragments in its message and changes no file anywhere. */
  private void refused(String path, String... fragments) throws SQLException {
    List<DirState> before = DirState.of(data, outside);
    db.failsPrepared("SELECT MMAP(?, ?)", new Object[] {"x", path}, fragments);
    assertEquals(before, DirState.of(data, outside), () -> "MMAP of '" + path + "' changed files");
    assertEquals(List.of(), db.rows("SELECT name FROM sys.mappings WHERE name = 'x'"), "bound anyway");
  }

  @Test void absolutePathOutsideIsRefused() throws SQLException {
    open("");
    refused(outside.resolve("new.mmap").toString(), "outside the data directory");
    refused(outside.resolve("secret.mmap").toString(), "outside the data directory");
    refused("/tmp", "outside the data directory");
    refused("/", "outside the data directory");
    assertFalse(Files.exists(outside.resolve("new.mmap")));
  }

  @Test void dotDotOutsideIsRefused() throws SQLException, IOException {
    open("");
    Files.createDirectory(data.resolve("sub"));
    refused("../outside/new.mmap", "outside the data directory");
    refused("../outside/secret.mmap", "outside the data directory");
    refused("../new.mmap", "outside the data directory");
    refused("sub/../../new.mmap", "outside the data directory");
    refused("./../new.mmap", "outside the data directory");
    refused("..", "outside the data directory");
    assertFalse(Files.exists(root.resolve("new.mmap")));
  }

  @Test void pathsThatStayInsideAreFine() throws SQLException, IOException {
    open("");
    Files.createDirectory(data.resolve("sub"));
    assertEquals(0, db.mmap("a", "sub/../a.mmap"));
    assertEquals(0, db.mmap("b", "sub/b.mmap"));
    assertEquals(0, db.mmap("c", data.resolve("c.mmap").toString()));
    assertEquals(0, db.mmap("d", "./d.mmap"));
    assertEquals(List.of(List.of("a", "a.mmap"), List.of("b", "sub/b.mmap"), List.of("c", "c.mmap"),
        List.of("d", "d.mmap")), db.rows("SELECT name, path FROM sys.mappings ORDER BY name"));
    for (String f : List.of("a.mmap", "sub/b.mmap", "c.mmap", "d.mmap")) {
      assertTrue(Files.isRegularFile(data.resolve(f)), f);
    }
  }

  @Test void symlinkLeadingOutsideIsRefused() throws SQLException, IOException {
    open("");
    Files.createSymbolicLink(data.resolve("link.mmap"), outside.resolve("secret.mmap"));
    Files.createSymbolicLink(data.resolve("dangling.mmap"), outside.resolve("notyet.mmap"));
    Files.createSymbolicLink(data.resolve("ldir"), outside);
    Files.createSymbolicLink(data.resolve("etc"), Path.of("/etc"));
    refused("link.mmap", "outside the data directory");
    // refused as "cannot resolve 'dangling.mmap'" (a dangling link never resolves): safe, if less telling
    refused("dangling.mmap", "dangling.mmap");
    refused("ldir/secret.mmap", "outside the data directory");
    refused("ldir/new.mmap", "outside the data directory");
    refused("etc/passwd", "outside the data directory");
    assertFalse(Files.exists(outside.resolve("notyet.mmap")), "a dangling link's target was created");
    assertFalse(Files.exists(outside.resolve("new.mmap")));
    assertArrayEquals(new double[] {1, 2, 3}, TestDb.readDoubles(outside.resolve("secret.mmap")));
  }

  @Test void symlinkWithinTheDataDirectoryIsFine() throws SQLException, IOException {
    open("");
    TestDb.writeDoubles(data.resolve("real.mmap"), 4, 5);
    Files.createSymbolicLink(data.resolve("link.mmap"), data.resolve("real.mmap"));
    Files.createDirectory(data.resolve("sub"));
    Files.createSymbolicLink(data.resolve("sub/up.mmap"), Path.of("../real.mmap"));
    assertEquals(2, db.mmap("l", "link.mmap"));
    assertArrayEquals(new double[] {4, 5}, db.values("l"));
    db.append("l", 6);
    assertArrayEquals(new double[] {4, 5, 6}, TestDb.readDoubles(data.resolve("real.mmap")));
    assertTrue(Files.isSymbolicLink(data.resolve("link.mmap")), "the link itself was replaced");
    // the same file under another name, through the relative link: refused as a second binding
    db.failsPrepared("SELECT MMAP(?, ?)", new Object[] {"r", "sub/up.mmap"}, "already mapped as table l");
    // and through a hard link, which no path comparison sees: one file, one binding (one set of locks)
    Files.createLink(data.resolve("hard.mmap"), data.resolve("real.mmap"));
    db.failsPrepared("SELECT MMAP(?, ?)", new Object[] {"h", "hard.mmap"}, "already mapped as table l",
        "the same file as real.mmap");
  }

  @Test void allowedDirectoriesPermitTheirFiles() throws SQLException, IOException {
    Path other = Files.createDirectory(root.resolve("other"));
    Path sibling = Files.createDirectory(root.resolve("outside2"));
    open(";allowedDirectories=" + outside + File.pathSeparator + other);
    assertEquals(3, db.mmap("s", outside.resolve("secret.mmap").toString()));
    assertEquals(0, db.mmap("n", outside.resolve("new.mmap").toString()));
    assertEquals(0, db.mmap("o", "../other/o.mmap"));
    db.append("n", 7, 8);
    assertArrayEquals(new double[] {7, 8}, TestDb.readDoubles(outside.resolve("new.mmap")));
    assertEquals(List.of(List.of("n", outside.resolve("new.mmap").toString())),
        db.rows("SELECT name, path FROM sys.mappings WHERE name = 'n'"));
    // a symlink inside the data directory into an allowed directory is fine too
    Files.createSymbolicLink(data.resolve("via.mmap"), other.resolve("v.mmap"));
    TestDb.writeDoubles(other.resolve("v.mmap"), 9);
    assertEquals(1, db.mmap("v", "via.mmap"));
    // a directory whose name merely starts like an allowed one is not allowed
    refused(sibling.resolve("x.mmap").toString(), "outside");
    refused(root.resolve("x.mmap").toString(), "outside");
    assertFalse(Files.exists(sibling.resolve("x.mmap")));
  }

  @Test void allowedDirectoriesAlsoComeFromProperties() throws SQLException {
    Properties info = new Properties();
    info.setProperty("allowedDirectories", outside.toString());
    try (Connection c = TestDb.connect(data, info)) {
      assertEquals(3L, ((Number) TestDb.scalar(c, "SELECT MMAP('s', ?)",
          outside.resolve("secret.mmap").toString())).longValue());
    }
  }

  @Test void missingAllowedDirectoryIsAnError() {
    SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
        () -> open(";allowedDirectories=" + root.resolve("nosuchdir")));
    TestDb.assertMessage(e, "nosuchdir", "does not exist");
  }

  @Test void fifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = data.resolve("fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    Assumptions.assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "mkfifo is not available");
    Files.createSymbolicLink(data.resolve("tofifo.mmap"), fifo);
    open("");
    // opening a FIFO for reading would block until a writer comes: the check must come first
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      refused("fifo", "not a regular file");
      refused("tofifo.mmap", "not a regular file");
    });
  }

  @Test void devicesAreRefusedEvenInAnAllowedDirectory() throws SQLException {
    open(";allowedDirectories=/dev");
    refused("/dev/zero", "not a regular file");
    refused("/dev/null", "not a regular file");
    refused("/dev/shm", "not a regular file");
  }

  @Test void devicesOutsideAreRefused() throws SQLException {
    open("");
    refused("/dev/zero", "outside");
    refused("/dev/null", "outside");
  }

  @Test void procFilesAreRefusedEvenInAnAllowedDirectory() throws SQLException {
    Assumptions.assumeTrue(Files.isRegularFile(Path.of("/proc/self/status")), "no /proc");
    open(";allowedDirectories=/proc");
    // /proc files claim to be regular files; mapping them must still fail cleanly
    refused("/proc/self/status", "/proc");
    refused("/proc/self/environ", "/proc");
  }

  @Test void directoriesAreRefused() throws SQLException, IOException {
    open("");
    Files.createDirectory(data.resolve("sub"));
    refused("sub", "not a regular file");
    refused("sub/", "not a regular file");
    refused(".", "refused");
    refused(data.toString(), "refused");
    refused("", "must not be empty");
    refused("   ", "must not be empty");
  }

  @Test void mmapsqlOwnFilesAreRefused() throws SQLException, IOException {
    open("");
    db.mmap("keep", "keep.mmap"); // so that the catalog exists
    Files.createDirectory(data.resolve("sub"));
    Files.createSymbolicLink(data.resolve("cat.mmap"), data.resolve(".mmapsql-catalog"));
    for (String p : List.of(".mmapsql-catalog", ".mmapsql.lock", "./.mmapsql-catalog", "sub/../.mmapsql.lock",
        ".mmapsql-catalog.tmp", data.resolve(".mmapsql-catalog").toString(), "cat.mmap")) {
      refused(p, "mmapsql itself");
    }
    assertEquals(List.of(List.of("keep")), db.rows("SELECT name FROM sys.mappings"));
  }

  @Test void oddPathsAreRefused() throws SQLException {
    open("");
    refused("a\nb.mmap", "control characters");
    refused("a\u0000b.mmap", "control characters");
    refused("nodir/x.mmap", "does not exist");
    refused("nodir/deeper/x.mmap", "does not exist");
    assertFalse(Files.exists(data.resolve("nodir")));
  }
}
