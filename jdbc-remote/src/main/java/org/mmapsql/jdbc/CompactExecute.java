package org.mmapsql.jdbc;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.proto.Common;
import org.apache.calcite.avatica.remote.Service;

/**
 * The wire format of the compact execute of a prepared statement, between
 * mmapsql's driver and server: the request is Avatica's own protobuf
 * {@code ExecuteRequest} (after a marker byte and a flag), posted to
 * {@link #PATH}, without the statement's signature (the server keeps it from
 * {@code prepare}); the response leaves it out too (the server's execute
 * only echoes it back) and carries a packed first frame as its bytes. Errors come back as Avatica's protobuf error response
 * with HTTP 500, as on Avatica's path. {@link #PROPERTY}{@code =}{@link #AVATICA}
 * turns it off.
 */
public final class CompactExecute {
  /** The client's connection property. */
  public static final String PROPERTY = "mmapsql.execute";
  /** Its default: prepared statements execute on the compact path. */
  public static final String COMPACT = "compact";
  /** Every execute through Avatica's own request and response. */
  public static final String AVATICA = "avatica";
  /** Where the server takes compact executes. */
  public static final String PATH = "/mmapsql/execute";
  /**
   * The header on every answer of a server that knows the compact path (its
   * errors too); its value is the version of the path the server reads
   * ({@link LeanExecute#VERSION}: execute requests in plain bytes too).
   */
  public static final String HEADER = "Mmapsql-Execute";
  /**
   * The protocol a connection switches to (HTTP's {@code Upgrade}, asked by an
   * empty POST to {@link #PATH} when the driver opens its socket): then each
   * request is a frame of its length (4 bytes, big-endian) and the body it
   * would have posted, each answer a frame of the HTTP status it would have
   * had (4 bytes), its length (4 bytes) and its body; no headers either way.
   */
  public static final String UPGRADE = "mmapsql-execute/1";
  /** Set in an answer frame's status when the server closes the socket after it (a refused frame). */
  public static final int FRAME_CLOSES = 0x8000_0000;
  /** The content type of a compact response. */
  public static final String CONTENT_TYPE = "application/x-mmapsql-execute";
  /**
   * The first byte of a request: zero is no protobuf tag, so a server that
   * does not know the path fails to parse the body and executes nothing.
   */
  static final int MARKER = 0;

  private static final int NONE = 0;
  private static final int ECHOED = 1;
  private static final int PROTO = 2;
  private static final int PACKED = 1;

  private CompactExecute() {
  }

  /**
   * The body of a request: the marker, whether the client left out the
   * statement's signature (the server has it from {@code prepare}), then
   * Avatica's serialized request.
   */
  static byte[] request(byte[] avaticaRequest, boolean signatureLeftOut) {
    byte[] b = new byte[avaticaRequest.length + 2];
    b[0] = MARKER;
    b[1] = (byte) (signatureLeftOut ? 1 : 0);
    System.arraycopy(avaticaRequest, 0, b, 2, avaticaRequest.length);
    return b;
  }

  /** Avatica's serialized request in a compact request's body, or null if it is not one. */
  public static byte[] avaticaRequest(byte[] body) {
    return body.length < 2 || body[0] != MARKER ? null : Arrays.copyOfRange(body, 2, body.length);
  }

  /** Whether the client left the signature out of a compact request (so the server puts its own in). */
  public static boolean signatureLeftOut(byte[] body) {
    return body.length >= 2 && body[1] == 1;
  }

  /**
   * The server's response to {@code request}: each result's signature is left
   * out when it is the one the request sent (the server's execute returns the
   * client's own signature), a packed first frame goes as its block.
   */
  public static byte[] response(Service.ExecuteRequest request, Service.ExecuteResponse response) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeBoolean(response.missingStatement);
      List<Service.ResultSetResponse> results = response.results == null
          ? Collections.emptyList() : response.results;
      out.writeInt(results.size());
      Meta.Signature sent = request.statementHandle == null ? null : request.statementHandle.signature;
      for (Service.ResultSetResponse r : results) {
        out.writeInt(r.statementId);
        out.writeBoolean(r.ownStatement);
        out.writeLong(r.updateCount);
        if (r.signature == null) {
          out.writeByte(NONE);
        } else if (sent != null && sameForReading(r.signature, sent)) {
          out.writeByte(ECHOED);
        } else {
          out.writeByte(PROTO);
          bytesOut(out, r.signature.toProto().toByteArray());
        }
        byte[] block = r.firstFrame == null ? null : onlyBlock(r.firstFrame);
        if (r.firstFrame == null) {
          out.writeByte(NONE);
        } else if (block != null) {
          out.writeByte(PACKED);
          out.writeLong(r.firstFrame.offset);
          out.writeBoolean(r.firstFrame.done);
          bytesOut(out, block);
        } else {
          out.writeByte(PROTO);
          bytesOut(out, r.firstFrame.toProto().toByteArray());
        }
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the client reads a result with the signature it sent as with the
   * result's: the same object, or a copy Avatica's service made of it with an
   * equal cursor factory.
   */
  private static boolean sameForReading(Meta.Signature result, Meta.Signature sent) {
    return result == sent || (result.columns == sent.columns && result.statementType == sent.statementType
        && result.cursorFactory.style == sent.cursorFactory.style);
  }

  /** The block of a frame whose one row is a packed block, else null. */
  private static byte[] onlyBlock(Meta.Frame frame) {
    Iterator<Object> rows = frame.rows.iterator();
    if (!rows.hasNext()) {
      return null;
    }
    byte[] block = PackedBlock.blockOf(rows.next());
    return rows.hasNext() ? null : block;
  }

  /** The client's reading of a compact response to {@code request}. */
  static Service.ExecuteResponse read(Service.ExecuteRequest request, byte[] body) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
    boolean missing = in.readBoolean();
    int n = in.readInt();
    if (missing) {
      return new Service.ExecuteResponse(null, true, null);
    }
    Meta.StatementHandle h = request.statementHandle;
    List<Service.ResultSetResponse> results = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int statementId = in.readInt();
      boolean own = in.readBoolean();
      long updateCount = in.readLong();
      Meta.Signature signature;
      int s = in.readUnsignedByte();
      if (s == NONE) {
        signature = null;
      } else if (s == ECHOED) {
        signature = h.signature;
      } else {
        signature = numbersAsNumber(Meta.Signature.fromProto(Common.Signature.parseFrom(bytesIn(in))));
      }
      Meta.Frame frame;
      int f = in.readUnsignedByte();
      if (f == NONE) {
        frame = null;
      } else if (f == PACKED) {
        long offset = in.readLong();
        boolean done = in.readBoolean();
        frame = Meta.Frame.create(offset, done, Collections.<Object>singletonList(new Object[] {bytesIn(in)}));
      } else {
        frame = Meta.Frame.fromProto(Common.Frame.parseFrom(bytesIn(in)));
      }
      results.add(new Service.ResultSetResponse(h.connectionId, statementId, own, signature, frame,
          updateCount, null));
    }
    return new Service.ExecuteResponse(results, false, null);
  }

  /**
   * What Avatica's protobuf service does to a signature it receives: a column of
   * a numeric representation is read as {@code NUMBER} (the value of a protobuf
   * frame is a long or a double, whatever the column's type).
   */
  private static Meta.Signature numbersAsNumber(Meta.Signature signature) {
    List<ColumnMetaData> columns = new ArrayList<>(signature.columns.size());
    for (ColumnMetaData c : signature.columns) {
      switch (c.type.rep) {
        case BYTE: case PRIMITIVE_BYTE: case DOUBLE: case PRIMITIVE_DOUBLE: case FLOAT: case PRIMITIVE_FLOAT:
        case INTEGER: case PRIMITIVE_INT: case SHORT: case PRIMITIVE_SHORT: case LONG: case PRIMITIVE_LONG:
          columns.add(c.setRep(ColumnMetaData.Rep.NUMBER));
          break;
        default:
          columns.add(c);
      }
    }
    return new Meta.Signature(columns, signature.sql, signature.parameters, signature.internalParameters,
        signature.cursorFactory, signature.statementType);
  }

  private static void bytesOut(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] bytesIn(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }
}
