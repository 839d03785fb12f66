package org.mmapsql.schema;

/**
 * What one connection chooses for itself.
 *
 * @param syncWrites {@code durability=sync}: force written data to disk before
 *     each write statement returns (default: within about a second)
 */
public record ConnectionSettings(boolean syncWrites) {
  public static final ConnectionSettings DEFAULT = new ConnectionSettings(false);
}
