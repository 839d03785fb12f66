package org.mmapsql.server;

import java.util.concurrent.Callable;

/**
 * The user on whose behalf the current thread serves a request. The HTTP layer
 * sets it around each request; {@link MmapMeta} reads it.
 */
public final class Identity {
  private static final ThreadLocal<User> CURRENT = new ThreadLocal<>();

  private Identity() {
  }

  /** The user of the request being served, or null outside a request. */
  public static User current() {
    return CURRENT.get();
  }

  /** Runs {@code action} as {@code user}. */
  public static <T> T runAs(User user, Callable<T> action) throws Exception {
    User before = CURRENT.get();
    CURRENT.set(user);
    try {
      return action.call();
    } finally {
      if (before == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(before);
      }
    }
  }
}
