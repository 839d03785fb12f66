import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * Run by ClientJvmIT with an older Java in source-file mode, the thin jar on
 * its class path: generated keys and a failed batch, one line each.
 */
public class KeysCheck {
  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0]); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('keys', 'keys.i8')").close();
      s.executeUpdate("INSERT INTO keys(val) VALUES (10), (11)", Statement.RETURN_GENERATED_KEYS);
      System.out.println(keys(s));
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO keys(val) VALUES (?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setLong(1, 12);
        ps.executeUpdate();
        System.out.println(keys(ps));
        for (int i = 0; i < 3; i++) {
          ps.setLong(1, 13 + i);
          ps.addBatch();
        }
        ps.executeBatch();
        System.out.println(keys(ps));
        ps.setNull(1, Types.BIGINT);
        ps.addBatch();
        try {
          ps.executeBatch();
        } catch (BatchUpdateException e) {
          System.out.println("BatchUpdateException " + e.getSQLState() + " " + e.getUpdateCounts().length);
        }
      }
    }
  }

  private static String keys(Statement s) throws SQLException {
    StringBuilder b = new StringBuilder();
    try (ResultSet rs = s.getGeneratedKeys()) {
      while (rs.next()) {
        b.append(b.length() > 0 ? "," : "").append(rs.getLong(1));
      }
    }
    return b.toString();
  }
}
