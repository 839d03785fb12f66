package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.avatica.Meta.ConnectionHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's connection bookkeeping under its own background expiry. */
class MmapMetaTest {
  @TempDir Path dir;

  /**
   * The expiry timer used to drop the owner of a connection still being
   * opened (recorded, not yet cached): the client was then told its new
   * connection was gone, reconnected with the same id and got "Connection
   * already exists" (seen under Trino's parallel splits).
   */
  @Test void expiryNeverForgetsAConnectionBeingOpened() throws Exception {
    ServerConfig config = Servers.config(dir);
    MmapMeta meta = new MmapMeta(config, MmapServer.serverProperties(config));
    AtomicBoolean done = new AtomicBoolean();
    Thread expirer = new Thread(() -> {
      while (!done.get()) {
        meta.expire();
      }
    });
    expirer.start();
    try {
      for (int i = 0; i < 300; i++) {
        String id = "c" + i;
        meta.openConnection(new ConnectionHandle(id), Map.of());
        assertDoesNotThrow(() -> meta.checkConnection(id), "connection " + id + " forgotten while opened");
        meta.closeConnection(new ConnectionHandle(id));
      }
    } finally {
      done.set(true);
      expirer.join();
      meta.closeAll();
    }
  }
}
