package org.mmapsql;

/**
 * The SQLSTATE classes mmapsql reports (SQL standard / ODBC codes), so that a
 * client can tell a missing table from a syntax error or a value out of range.
 * The JDBC layer puts {@link #code()} on every SQLException.
 */
public enum SqlState {
  /** A value does not fit the column's type (300 into int8, -1 into uint16). */
  NUMERIC_OUT_OF_RANGE("22003"),
  /** A string that is not a number where a number is needed. */
  INVALID_NUMBER("22018"),
  /** Division by zero. */
  DIVISION_BY_ZERO("22012"),
  /** Any other bad value (an over-long string, a bad type name). */
  DATA_EXCEPTION("22000"),
  /** NULL where a value is required. */
  NOT_NULL_VIOLATION("23502"),
  /** An idx that does not continue the sequence, a DELETE that is not a tail. */
  INTEGRITY_CONSTRAINT_VIOLATION("23000"),
  /** A write on a read-only binding or connection. */
  READ_ONLY("25006"),
  /** Permission refused: a path outside the permitted directories, a readonly user. */
  INSUFFICIENT_PRIVILEGE("42501"),
  /** A table or file that is already mapped. */
  TABLE_EXISTS("42S01"),
  /** Unknown table. */
  UNDEFINED_TABLE("42S02"),
  /** Unknown column. */
  UNDEFINED_COLUMN("42S22"),
  /** Syntax error or access rule violation. */
  SYNTAX_ERROR("42000"),
  /** A feature mmapsql does not have (savepoints, rollback of committed writes). */
  FEATURE_NOT_SUPPORTED("0A000"),
  /** The server cannot be reached or refused the connection. */
  CONNECTION_FAILURE("08001"),
  /** The statement was canceled or timed out. */
  CANCELED("57014"),
  /** A scan overlapped more changes than are kept to show it the rows as they were; run it again. */
  SERIALIZATION_FAILURE("40001"),
  /** A limit of the database is reached (most mappings, rows held by a sort). */
  LIMIT_EXCEEDED("54000"),
  /** A file could not be read or written (missing, truncated, disk full). */
  IO_ERROR("58030"),
  /** Anything else. */
  GENERAL("HY000");

  private final String code;

  SqlState(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
