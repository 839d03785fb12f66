package org.mmapsql.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on loopback in front of a server's port, for tests of lost
 * connections: it pumps bytes both ways until told to drop answers (the
 * request reaches the server, which runs it; the answer is dropped and the
 * client's connection closed), to cut answers short (all but their last
 * byte, then the connection closed), to hold answers back (dropped, the
 * connection left open), to hold the next answer until released (the
 * server has run the request; its client waits) or to close its clients'
 * connections (as a server closes idle kept-alive connections).
 */
final class Proxy implements AutoCloseable {
  private final ServerSocket socket;
  private final int target;
  private final AtomicBoolean dropAnswers = new AtomicBoolean();
  private final AtomicBoolean cutAnswers = new AtomicBoolean();
  private final AtomicBoolean holdAnswers = new AtomicBoolean();
  private final List<Socket> clients = new CopyOnWriteArrayList<>();
  /** The next answer waits at {@link #release} once {@link #held} is counted down; null when not asked. */
  private final AtomicReference<CountDownLatch> holdNext = new AtomicReference<>();
  private volatile CountDownLatch held = new CountDownLatch(0);
  private volatile CountDownLatch release = new CountDownLatch(0);

  Proxy(int target) throws IOException {
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    Thread accept = new Thread(this::accept, "proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** The server's JDBC URL, through this proxy. */
  String jdbcUrl(MmapServer server) {
    return server.jdbcUrl().replace(":" + server.port(), ":" + port());
  }

  void dropAnswers(boolean on) {
    dropAnswers.set(on);
  }

  void cutAnswers(boolean on) {
    cutAnswers.set(on);
  }

  /** Answers are dropped and the connection kept open: the client waits until its read timeout. */
  void holdAnswers(boolean on) {
    holdAnswers.set(on);
  }

  /** The next answer, on whichever connection, waits until {@link #releaseHeld}. */
  void holdNextAnswer() {
    held = new CountDownLatch(1);
    release = new CountDownLatch(1);
    holdNext.set(held);
  }

  /** Waits until the answer {@link #holdNextAnswer} asked for is held. */
  void awaitHeld() throws InterruptedException {
    if (!held.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no answer came to hold");
    }
  }

  void releaseHeld() {
    release.countDown();
  }

  /** Holds this answer if one was asked for and none is held yet. */
  private void maybeHold() throws IOException {
    CountDownLatch h = holdNext.getAndSet(null);
    if (h != null) {
      CountDownLatch r = release;
      h.countDown();
      try {
        r.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
    }
  }

  /** Closes every client connection, as a server closes the ones idle too long. */
  void closeClients() throws IOException {
    for (Socket c : clients) {
      c.close();
    }
    clients.clear();
  }

  @Override public void close() throws IOException {
    socket.close();
    closeClients();
  }

  private void accept() {
    try {
      while (true) {
        Socket client = socket.accept();
        clients.add(client);
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        pump(client.getInputStream(), server.getOutputStream(), null, null, null, client, server, false);
        pump(server.getInputStream(), client.getOutputStream(), dropAnswers, cutAnswers, holdAnswers, client, server,
            true);
      }
    } catch (IOException e) {
      // the proxy closed
    }
  }

  private void pump(InputStream in, OutputStream out, AtomicBoolean drop, AtomicBoolean cut,
      AtomicBoolean hold, Socket client, Socket server, boolean answers) {
    Thread t = new Thread(() -> {
      byte[] b = new byte[8192];
      try {
        for (int n = in.read(b); n >= 0; n = in.read(b)) {
          if (drop != null && drop.get()) {
            client.close();
            return;
          }
          if (hold != null && hold.get()) {
            continue;
          }
          if (answers) {
            maybeHold();
          }
          if (cut != null && cut.get()) {
            out.write(b, 0, n - 1);
            out.flush();
            client.close();
            return;
          }
          out.write(b, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // either side closed
      } finally {
        closeQuietly(client);
        closeQuietly(server);
      }
    }, "pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
