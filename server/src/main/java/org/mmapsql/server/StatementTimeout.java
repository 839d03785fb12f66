package org.mmapsql.server;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's statement timeout ({@code --statement-timeout}): sets the
 * cancel flag of a statement call that runs longer, which stops it at its next
 * row. One task of the timer looks at the calls running, every tenth of the
 * timeout (at least a millisecond, at most a second), instead of a timer task
 * per call: scheduling and cancelling one, under the timer's lock, cost about
 * what a point update's execution does. A call past its deadline is flagged
 * at the next look (how soon it then stops is its next row's affair, and no
 * test times it: LimitsTest checks that it stops with 57014).
 */
final class StatementTimeout {
  /** One statement call under the timeout. */
  static final class Run {
    private final AtomicBoolean flag;
    private final long deadline;
    /** Whether the timeout set the flag; guarded by this. */
    private boolean fired;
    /** Whether the call has ended; guarded by this. */
    private boolean ended;

    private Run(AtomicBoolean flag, long deadline) {
      this.flag = flag;
      this.deadline = deadline;
    }

    /** Whether the timeout stopped this call. */
    synchronized boolean fired() {
      return fired;
    }

    /** Sets the flag unless the call has ended (then the flag may be the statement's next call's). */
    private synchronized void fire() {
      if (!ended) {
        fired = true;
        flag.set(true);
      }
    }

    private synchronized void end() {
      ended = true;
    }
  }

  private final long nanos;
  private final Set<Run> running = ConcurrentHashMap.newKeySet();

  /** A timeout of {@code timeout} (zero: none), looked after by {@code timer}. */
  StatementTimeout(Duration timeout, ScheduledExecutorService timer) {
    this.nanos = timeout.toNanos();
    if (nanos > 0) {
      long period = Math.clamp(nanos / 10, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1));
      timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }
  }

  boolean on() {
    return nanos > 0;
  }

  /** Starts a call whose cancel flag is {@code flag}; {@link #end} it when it returns or throws. */
  Run start(AtomicBoolean flag) {
    flag.set(false);
    Run r = new Run(flag, System.nanoTime() + nanos);
    running.add(r);
    return r;
  }

  void end(Run r) {
    r.end();
    running.remove(r);
  }

  /** Calls running now. */
  int running() {
    return running.size();
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Run r : running) {
      if (now - r.deadline >= 0) {
        r.fire();
        running.remove(r);
      }
    }
  }
}
