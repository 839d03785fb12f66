package org.mmapsql.jdbc;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The read timeout of a {@link PlainHttp} socket, kept without the socket's
 * own: with {@code SO_TIMEOUT} set the JDK reads in non-blocking mode, so that
 * every answer costs a read that finds nothing, a poll and the read again. A
 * socket here reads blocking; its reader arms a deadline before it waits and
 * disarms it after (two volatile writes), and one daemon thread of the driver
 * closes the socket of a reader past its deadline, which ends the read with an
 * error. The thread looks every tenth of the shortest timeout (10 ms to 1 s),
 * and ends after ten looks that found no read waiting.
 */
final class ReadDeadline {
  private static final long MIN_PERIOD = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_PERIOD = TimeUnit.SECONDS.toNanos(1);
  private static final int IDLE_LOOKS = 10;
  /** The deadlines of open sockets. */
  private static final Set<ReadDeadline> OPEN = ConcurrentHashMap.newKeySet();
  /** Guards the watcher's start and end. */
  private static final Object LOCK = new Object();
  private static volatile Thread watcher;
  private static long period = MAX_PERIOD;

  private final SocketChannel socket;
  private final long timeoutNanos;
  /** When the waiting read times out; 0: no read waits. */
  private volatile long deadline;
  private volatile boolean expired;

  /** A deadline of {@code timeoutMillis} (0: none) for reads of {@code socket}. */
  ReadDeadline(SocketChannel socket, int timeoutMillis) {
    this.socket = socket;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    if (timeoutNanos > 0) {
      OPEN.add(this);
      synchronized (LOCK) {
        period = Math.max(MIN_PERIOD, Math.min(period, timeoutNanos / 10));
      }
    }
  }

  /** Before a read that waits for an answer. */
  void arm() {
    if (timeoutNanos <= 0) {
      return;
    }
    deadline = System.nanoTime() + timeoutNanos;
    if (watcher == null) {
      synchronized (LOCK) {
        if (watcher == null) {
          Thread t = new Thread(ReadDeadline::watch, "mmapsql-read-deadline");
          t.setDaemon(true);
          watcher = t;
          t.start();
        }
      }
    }
  }

  /** After the read, whatever its end. */
  void disarm() {
    deadline = 0;
  }

  /** When the socket closes. */
  void close() {
    deadline = 0;
    OPEN.remove(this);
  }

  /** Whether the deadline closed the socket; then a read's error is a timeout's. */
  boolean expired() {
    return expired;
  }

  /** The error for a read the deadline ended. */
  IOException timeout() {
    return new SocketTimeoutException("Read timed out: no answer within "
        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (connection property http_response_timeout)");
  }

  private static void watch() {
    int idle = 0;
    while (true) {
      long sleep;
      synchronized (LOCK) {
        if (idle >= IDLE_LOOKS) {
          // Unset first, then look: a read armed before the look is seen by it; one armed after sees no
          // watcher (volatile both ways) and starts another.
          watcher = null;
          if (!anyArmed()) {
            return;
          }
          watcher = Thread.currentThread();
          idle = 0;
        }
        sleep = period;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(sleep);
      } catch (InterruptedException e) {
        // look now
      }
      idle = expire() ? 0 : idle + 1;
    }
  }

  private static boolean anyArmed() {
    for (ReadDeadline d : OPEN) {
      if (d.deadline != 0) {
        return true;
      }
    }
    return false;
  }

  /** Closes the sockets of reads past their deadline; whether any read was waiting. */
  private static boolean expire() {
    long now = System.nanoTime();
    boolean waiting = false;
    for (ReadDeadline d : OPEN) {
      long at = d.deadline;
      if (at == 0) {
        continue;
      }
      waiting = true;
      if (now - at >= 0) {
        d.expired = true;
        OPEN.remove(d);
        try {
          d.socket.close();
        } catch (IOException e) {
          // closed anyway
        }
      }
    }
    return waiting;
  }
}
