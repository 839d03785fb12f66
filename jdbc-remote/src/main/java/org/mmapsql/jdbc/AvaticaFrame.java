package org.mmapsql.jdbc;

import java.util.Arrays;

/**
 * An ordinary Avatica protobuf request (prepareAndExecute, fetch, prepare,
 * closeStatement, connection sync, commit...) carried in a compact frame
 * ({@link CompactExecute#UPGRADE}): a kind byte, then the bytes it would have
 * posted to Avatica's path; its answer is the status and body Avatica's
 * handler would have given. The compact execute keeps its own, leaner
 * encoding ({@link CompactExecute}), whose first byte is another kind. A
 * server takes these frames only when its switch to frames said so
 * ({@link #HEADER}); an older one is never sent one.
 */
public final class AvaticaFrame {
  /** The first byte of such a frame: not {@link CompactExecute}'s marker, so an older server executes nothing. */
  static final byte KIND = 1;
  /** The header of a 101 answer whose socket also takes Avatica's requests as frames. */
  public static final String HEADER = "Mmapsql-Frames";
  /** Its value. */
  public static final String AVATICA = "avatica";

  private AvaticaFrame() {
  }

  /** The body of a frame that carries Avatica's serialized request. */
  static byte[] request(byte[] avaticaRequest) {
    byte[] b = new byte[avaticaRequest.length + 1];
    b[0] = KIND;
    System.arraycopy(avaticaRequest, 0, b, 1, avaticaRequest.length);
    return b;
  }

  /** Whether a frame's body is one of these. */
  public static boolean is(byte[] body) {
    return body.length > 0 && body[0] == KIND;
  }

  /** Avatica's serialized request in a frame's body, or null if the frame is not one of these. */
  public static byte[] avaticaRequest(byte[] body) {
    return !is(body) ? null : Arrays.copyOfRange(body, 1, body.length);
  }
}
