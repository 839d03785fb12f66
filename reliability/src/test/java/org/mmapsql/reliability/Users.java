package org.mmapsql.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

import org.mmapsql.server.User;
import org.mmapsql.server.UsersFile;

/** A users file with alice (readwrite) and bob (readonly); passwords are NAME-password. */
final class Users {
  private Users() {
  }

  static Path file(Path dir) throws IOException {
    Path f = dir.resolve("users");
    UsersFile.write(f, List.of(
        UsersFile.create("alice", User.Role.READWRITE, "alice-password".toCharArray(), 1000),
        UsersFile.create("bob", User.Role.READONLY, "bob-password".toCharArray(), 1000)));
    return f;
  }

  static Connection connect(String url, String user, String password) throws SQLException {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(url, p);
  }
}
