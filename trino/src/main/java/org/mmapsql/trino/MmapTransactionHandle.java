package org.mmapsql.trino;

import io.trino.spi.connector.ConnectorTransactionHandle;

/** mmapsql statements are atomic one by one; there is no transaction across them. */
public enum MmapTransactionHandle implements ConnectorTransactionHandle {
  INSTANCE
}
