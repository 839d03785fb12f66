package org.mmapsql.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ChannelEndPoint;
import org.eclipse.jetty.io.Connection;
import org.mmapsql.jdbc.CompactExecute;

/**
 * A client connection switched from HTTP to compact frames
 * ({@link CompactExecute#UPGRADE}): a thread of its own waits for a request
 * frame, has it answered and writes the answer in one write, with no HTTP
 * parsing, no selector wake-up and no hand-off between threads on the way. It
 * ends when the client closes, after the idle timeout, or at the server's stop
 * (between two requests: one being answered is answered first).
 */
final class CompactChannel extends AbstractConnection implements Connection.UpgradeTo {
  /** An answer to a frame; {@code close}: the connection ends once it is sent. */
  record Answer(int status, byte[] body, boolean close) {
  }

  /** What answers the frames of one connection, as its user. */
  interface Answers {
    Answer answer(byte[] body);

    /** The answer to a request longer than the server's limit, whose body is not read. */
    Answer tooLarge(long length);
  }

  /** The answer to a request that came in as the server stops: not run, and the socket ends. */
  private static final Answer STOPPING = new Answer(503, new byte[0], true);
  /** Most bytes of a too large request read and dropped before its answer; beyond, the socket just closes. */
  private static final long MAX_SKIP = 16 << 20;

  private final SocketChannel channel;
  private final Answers answers;
  private final long maxRequestBytes;
  private final long idleMillis;
  /** The server's connections on compact frames, which this one belongs to while it lives. */
  private final Set<CompactChannel> live;
  /** Gives back the slot the switch took (--max-connections), once, when the connection ends. */
  private final Runnable release;
  private final AtomicBoolean released = new AtomicBoolean();
  private final CountDownLatch done = new CountDownLatch(1);
  /** Bytes read and not yet taken: after flip() for reading, compacted back after. */
  private ByteBuffer in = ByteBuffer.allocate(8192);
  private volatile boolean stopping;
  private volatile Selector selector;

  CompactChannel(ChannelEndPoint endPoint, Answers answers, long maxRequestBytes,
      long idleMillis, Set<CompactChannel> live, Runnable release) {
    super(endPoint, Runnable::run);
    this.channel = endPoint.getChannel();
    this.answers = answers;
    this.maxRequestBytes = maxRequestBytes;
    this.idleMillis = idleMillis;
    this.live = live;
    this.release = release;
  }

  @Override public void onUpgradeTo(ByteBuffer prefilled) {
    if (prefilled != null && prefilled.hasRemaining()) {
      if (prefilled.remaining() > in.capacity()) {
        in = ByteBuffer.allocate(prefilled.remaining());
      }
      in.put(prefilled);
    }
  }

  @Override public void onOpen() {
    super.onOpen();
    live.add(this);
    Thread t = new Thread(this::serve, "mmapsql-compact-" + channel.hashCode());
    t.setDaemon(true);
    t.start();
  }

  /** The end point closed (its serving thread ends too, or never started). */
  @Override public void onClose() {
    super.onClose();
    releaseSlot();
  }

  private void releaseSlot() {
    if (released.compareAndSet(false, true)) {
      release.run();
    }
  }

  /** Never asks Jetty to read: its own thread does. */
  @Override public void onFillable() {
  }

  /** Idleness is this connection's own (Jetty sees none of its reads and writes). */
  @Override public boolean onIdleExpired() {
    return false;
  }

  /** Ends the connection once its request in hand, if any, is answered. */
  void stop() {
    stopping = true;
    Selector s = selector;
    if (s != null) {
      s.wakeup();
    }
  }

  /** Waits until the connection has ended, up to {@code millis}. */
  boolean awaitEnd(long millis) throws InterruptedException {
    return done.await(millis, TimeUnit.MILLISECONDS);
  }

  private void serve() {
    try (Selector s = Selector.open()) {
      SelectionKey key = channel.register(s, SelectionKey.OP_READ);
      selector = s;
      while (!stopping) {
        if (!fill(s, 4, true)) {
          if (stopping) {
            refuseArrived(s, key);
          }
          return;
        }
        long length = in.getInt(0) & 0xffffffffL;
        Answer a;
        if (length > maxRequestBytes) {
          skip(s, length);
          a = answers.tooLarge(length);
        } else {
          byte[] body = body(s, (int) length);
          if (body == null) {
            return;
          }
          a = answers.answer(body);
        }
        write(s, key, a);
        if (a.close()) {
          return;
        }
      }
      refuseArrived(s, key); // stopped after an answer: the client may have sent its next request already
    } catch (IOException | RuntimeException e) {
      // the client went away, or the connection broke: nothing to answer
    } finally {
      selector = null;
      getEndPoint().close();
      live.remove(this);
      releaseSlot();
      done.countDown();
    }
  }

  /**
   * At a stop between two requests, answers a request that has already come
   * in with 503 (not run: the driver then goes by HTTP, which retries or
   * reaches the next server) instead of closing the socket under it, which the
   * driver could only report as a statement that may or may not have run.
   */
  private void refuseArrived(Selector s, SelectionKey key) throws IOException {
    if (in.position() == 0 && channel.read(in) <= 0 || !fill(s, 4, false)) {
      return;
    }
    skip(s, in.getInt(0) & 0xffffffffL);
    write(s, key, STOPPING);
  }

  /** The body of a request frame whose length {@code in} holds; null if the connection ended first. */
  private byte[] body(Selector s, int length) throws IOException {
    in.flip();
    in.getInt();
    byte[] body = new byte[length];
    int now = Math.min(length, in.remaining());
    in.get(body, 0, now);
    in.compact();
    ByteBuffer rest = ByteBuffer.wrap(body, now, length - now);
    while (rest.hasRemaining()) {
      int n = channel.read(rest);
      if (n < 0) {
        return null;
      }
      if (n == 0 && !await(s, false)) {
        return null;
      }
    }
    return body;
  }

  /**
   * Reads and drops the body of a frame too large to take (up to {@link
   * #MAX_SKIP}), so that closing the socket after its answer does not reset
   * the connection under the answer.
   */
  private void skip(Selector s, long length) throws IOException {
    if (length > MAX_SKIP) {
      return;
    }
    in.flip();
    in.getInt();
    long left = length - Math.min(length, in.remaining());
    in.position(in.position() + (int) Math.min(length, in.remaining()));
    in.compact();
    ByteBuffer drop = ByteBuffer.allocate(8192);
    while (left > 0) {
      drop.clear().limit((int) Math.min(drop.capacity(), left));
      int n = channel.read(drop);
      if (n < 0 || n == 0 && !await(s, false)) {
        return;
      }
      left -= n;
    }
  }

  /** Reads until {@code in} holds {@code bytes}; false at the end of the stream, idle or stop. */
  private boolean fill(Selector s, int bytes, boolean between) throws IOException {
    // Between two requests nothing is there yet (the client waits for the answer): wait first, then read.
    boolean wait = between && in.position() == 0;
    while (in.position() < bytes) {
      if (wait && !await(s, between)) {
        return false;
      }
      int n = channel.read(in);
      if (n < 0) {
        return false;
      }
      wait = n == 0;
    }
    return true;
  }

  /** Waits for bytes to read; false after the idle timeout, or at a stop between requests. */
  private boolean await(Selector s, boolean between) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMillis);
    while (true) {
      if (between && stopping) {
        return false;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (s.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))) > 0) {
        s.selectedKeys().clear();
        return true;
      }
    }
  }

  /** Writes status, length and body in one write (more only when the socket's buffer is full). */
  private void write(Selector s, SelectionKey key, Answer a) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(8 + a.body().length);
    out.putInt(a.close() ? a.status() | CompactExecute.FRAME_CLOSES : a.status()).putInt(a.body().length)
        .put(a.body()).flip();
    while (out.hasRemaining()) {
      if (channel.write(out) == 0) {
        key.interestOps(SelectionKey.OP_WRITE);
        try {
          if (!await(s, false)) {
            throw new IOException("the client does not read its answer");
          }
        } finally {
          key.interestOps(SelectionKey.OP_READ);
        }
      }
    }
  }
}
