package org.mmapsql.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.SQLException;

import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.ProtobufMeta;

/**
 * Stands before {@link MmapMeta} for every call a client can make: any
 * connection handle must be one the current user opened, any statement handle
 * must name a statement of that connection (statement ids are small integers;
 * without this check a {@code readonly} user could execute a statement prepared
 * by another user). Errors go back to the client as the core's own message
 * instead of a chain of wrapped exceptions. A proxy, so that no call of
 * {@link Meta}, present or future, is left unchecked.
 */
final class GuardedMeta implements InvocationHandler {
  private final MmapMeta meta;

  private GuardedMeta(MmapMeta meta) {
    this.meta = meta;
  }

  static ProtobufMeta wrap(MmapMeta meta) {
    return (ProtobufMeta) Proxy.newProxyInstance(GuardedMeta.class.getClassLoader(),
        new Class<?>[] {ProtobufMeta.class}, new GuardedMeta(meta));
  }

  @Override public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "GuardedMeta(" + meta + ")";
      };
    }
    if (args != null && !method.getName().equals("openConnection")) {
      for (Object a : args) {
        if (a instanceof Meta.ConnectionHandle ch) {
          meta.checkConnection(ch.id);
        } else if (a instanceof Meta.StatementHandle h) {
          meta.checkStatement(h);
        }
      }
    }
    try {
      return method.invoke(meta, args);
    } catch (InvocationTargetException e) {
      throw clear(e.getCause(), args);
    }
  }

  /**
   * The exception to send: Avatica's own kinds as they are (the client acts on
   * them), anything that carries an SQLException as that SQLException's message.
   */
  static Throwable clear(Throwable t, Object[] args) {
    if (t instanceof AvaticaRuntimeException || t instanceof NoSuchConnectionException
        || !(t instanceof RuntimeException)) {
      return withoutTrace(t);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s) {
        return withoutTrace(new AvaticaRuntimeException(withoutPrefix(s.getMessage(), args),
            s.getErrorCode(), s.getSQLState() != null ? s.getSQLState() : "HY000", AvaticaSeverity.ERROR));
      }
    }
    return withoutTrace(new AvaticaRuntimeException(
        t.getMessage() != null ? t.getMessage() : t.toString(), -1, "HY000", AvaticaSeverity.ERROR));
  }

  /**
   * Avatica sends the stack trace of an error to the client, which prints it
   * with its own: the server's internals are none of a client's business.
   */
  private static Throwable withoutTrace(Throwable t) {
    t.setStackTrace(new StackTraceElement[0]);
    return t;
  }

  private static final String PREFIX = "Error while executing SQL \"";

  /**
   * The message without the server's 'Error while executing SQL "...": ', which
   * the client puts before it again: the client shows the same message as an
   * embedded connection.
   */
  static String withoutPrefix(String message, Object[] args) {
    if (message == null || !message.startsWith(PREFIX)) {
      return message;
    }
    for (Object a : args == null ? new Object[0] : args) {
      String sql = a instanceof String s ? s
          : a instanceof Meta.StatementHandle h && h.signature != null ? h.signature.sql : null;
      if (sql != null && message.startsWith(PREFIX + sql + "\": ")) {
        return message.substring(PREFIX.length() + sql.length() + 3);
      }
    }
    int end = message.indexOf("\": ", PREFIX.length());
    return end < 0 ? message : message.substring(end + 3);
  }
}
