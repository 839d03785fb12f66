package org.mmapsql.trino;

import io.trino.spi.ErrorCode;
import io.trino.spi.ErrorCodeSupplier;
import io.trino.spi.ErrorType;

/** The connector's error codes; a message always names the shard, the server and the table. */
public enum MmapErrorCode implements ErrorCodeSupplier {
  /** A shard's server cannot be reached, refuses, or fails a statement. */
  SHARD_ERROR(0, ErrorType.EXTERNAL),
  /** The shards of an array do not line up: missing, overlapping or with a gap. */
  SHARD_LAYOUT(1, ErrorType.EXTERNAL),
  /** The catalog properties are wrong. */
  CONFIG(2, ErrorType.USER_ERROR),
  /** A write the connector cannot do right. */
  WRITE_REFUSED(3, ErrorType.USER_ERROR);

  private final ErrorCode errorCode;

  MmapErrorCode(int code, ErrorType type) {
    errorCode = new ErrorCode(code + 0x0517_0000, name(), type);
  }

  @Override public ErrorCode toErrorCode() {
    return errorCode;
  }
}
