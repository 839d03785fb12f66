package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLSTATE of each kind of refusal issue 6 decides, through the embedded
 * driver: 22003 for a value that does not fit its type, 22001 (or 22000) for a
 * string too long, 25006 for a write to a read-only binding. (The other tests
 * accept a missing SQLSTATE so that they can check everything else; this one
 * requires it.)
 */
class SqlStateTest {
  @TempDir Path dir;
  private Connection c;

  @BeforeEach void open() throws SQLException {
    c = DriverManager.getConnection("jdbc:mmap:" + dir);
  }

  @AfterEach void close() throws SQLException {
    c.close();
  }

  @Test void aValueThatDoesNotFitIs22003() throws SQLException {
    Sql.mmap(c, "i1", "i1.bin", "i1", null);
    Sql.mmap(c, "u2", "u2.bin", "u2", null);
    Sql.mmap(c, "u8", "u8.bin", "u8", null);
    Sql.mmap(c, "i4", "i4.bin", "i4", null);
    Sql.failsWithState(c, "INSERT INTO i1(val) VALUES (300)", "22003");
    Sql.failsWithState(c, "INSERT INTO u2(val) VALUES (-1)", "22003");
    Sql.failsWithState(c, "INSERT INTO u8(val) VALUES (18446744073709551616)", "22003");
    Sql.update(c, "INSERT INTO i4(val) VALUES (2147483647)");
    Sql.failsWithState(c, "UPDATE i4 SET val = 3000000000 WHERE idx = 0", "22003");
    Sql.failsWithState(c, "INSERT INTO i4(val) VALUES (1.5)", "22003");
    Sql.mmap(c, "f4", "f4.bin", "f4", null);
    Sql.failsWithState(c, "INSERT INTO f4(val) VALUES (1E39)", "22003");
  }

  @Test void aStringTooLongIs22001() throws SQLException {
    Sql.mmap(c, "s", "s.bin", "S3", null);
    Sql.failsWithState(c, "INSERT INTO s(val) VALUES ('abcd')", "22001", "22000");
  }

  @Test void aWriteToAReadOnlyBindingIs25006() throws SQLException {
    Sql.write(dir.resolve("r.f8"), new byte[16]);
    Sql.mmap(c, "r", "r.f8", "f8", "readonly");
    Sql.failsWithState(c, "INSERT INTO r(val) VALUES (1.0E0)", "25006");
    Sql.failsWithState(c, "UPDATE r SET val = 1.0E0", "25006");
    Sql.failsWithState(c, "DELETE FROM r", "25006");
    Sql.failsWithState(c, "SELECT VPOP('r')", "25006");
    assertEquals(2L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM r")).longValue());
  }
}
