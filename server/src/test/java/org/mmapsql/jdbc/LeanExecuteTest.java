package org.mmapsql.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

import org.apache.calcite.avatica.ColumnMetaData.Rep;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.remote.TypedValue;
import org.junit.jupiter.api.Test;

/**
 * An execute request in {@link LeanExecute}'s bytes reaches the server as the
 * same request Avatica's protobuf gives it (the oracle: Avatica's own
 * serialization and parsing), parameter by parameter; a parameter these bytes
 * do not carry leaves the request to protobuf.
 */
class LeanExecuteTest {
  private static final ProtobufTranslation PROTOBUF = new ProtobufTranslationImpl();
  private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);
  private static final Meta.Signature PREPARED = Meta.Signature.create(List.of(), "UPDATE t SET val = ? WHERE idx = ?",
      List.of(), Meta.CursorFactory.ARRAY, Meta.StatementType.UPDATE);

  /** Parameters as Avatica's prepared statement makes them (AvaticaSite: TypedValue.ofJdbc), and unset ones. */
  static List<TypedValue> parameters() {
    List<TypedValue> p = new ArrayList<>();
    p.add(TypedValue.ofJdbc(Rep.PRIMITIVE_LONG, Long.MIN_VALUE, UTC));
    p.add(TypedValue.ofJdbc(Rep.LONG, 42L, UTC));
    p.add(TypedValue.ofJdbc(Rep.PRIMITIVE_INT, -7, UTC));
    p.add(TypedValue.ofJdbc(Rep.INTEGER, Integer.MAX_VALUE, UTC));
    p.add(TypedValue.ofJdbc(Rep.PRIMITIVE_SHORT, (short) -300, UTC));
    p.add(TypedValue.ofJdbc(Rep.SHORT, Short.MAX_VALUE, UTC));
    p.add(TypedValue.ofJdbc(Rep.PRIMITIVE_BYTE, (byte) -128, UTC));
    p.add(TypedValue.ofJdbc(Rep.BYTE, (byte) 5, UTC));
    p.add(TypedValue.ofJdbc(Rep.PRIMITIVE_DOUBLE, -0.0, UTC));
    p.add(TypedValue.ofJdbc(Rep.DOUBLE, Double.NaN, UTC));
    p.add(TypedValue.ofJdbc(Rep.DOUBLE, 1e308, UTC));
    p.add(TypedValue.ofJdbc(Rep.PRIMITIVE_FLOAT, Float.MIN_VALUE, UTC));
    p.add(TypedValue.ofJdbc(Rep.FLOAT, 3.25f, UTC));
    p.add(TypedValue.ofJdbc(Rep.PRIMITIVE_BOOLEAN, true, UTC));
    p.add(TypedValue.ofJdbc(Rep.BOOLEAN, false, UTC));
    p.add(TypedValue.ofJdbc(Rep.STRING, "", UTC));
    p.add(TypedValue.ofJdbc(Rep.STRING, "naïve ∑ 𝄞 text", UTC));
    p.add(TypedValue.ofJdbc(Rep.NUMBER, 12L, UTC));
    p.add(TypedValue.ofJdbc(Rep.JAVA_SQL_DATE, Date.valueOf("2026-12-06"), UTC));
    p.add(TypedValue.ofJdbc(Rep.JAVA_SQL_TIME, Time.valueOf("10:46:02"), UTC));
    p.add(TypedValue.ofJdbc(Rep.JAVA_SQL_TIMESTAMP, Timestamp.valueOf("2026-12-06 10:46:02.123"), UTC));
    p.add(TypedValue.ofJdbc(Rep.OBJECT, null, UTC)); // setNull
    p.add(null); // never set
    return p;
  }

  /** What the server gets from Avatica's protobuf for {@code r}. */
  static Service.ExecuteRequest throughProtobuf(Service.ExecuteRequest r) throws Exception {
    return (Service.ExecuteRequest) PROTOBUF.parseRequest(PROTOBUF.serializeRequest(r));
  }

  static void assertSameRequest(Service.ExecuteRequest expected, Service.ExecuteRequest actual) {
    assertEquals(expected.statementHandle.connectionId, actual.statementHandle.connectionId);
    assertEquals(expected.statementHandle.id, actual.statementHandle.id);
    assertEquals(expected.maxRowCount, actual.maxRowCount);
    if (expected.parameterValues == null) {
      assertNull(actual.parameterValues);
      return;
    }
    assertEquals(expected.parameterValues.size(), actual.parameterValues.size());
    for (int i = 0; i < expected.parameterValues.size(); i++) {
      TypedValue e = expected.parameterValues.get(i);
      TypedValue a = actual.parameterValues.get(i);
      String at = "parameter " + (i + 1) + ": " + e;
      assertEquals(e, a, at); // representation and value, which the server converts as it would either way
      if (e != null) {
        assertEquals(e.value == null ? null : e.value.getClass(), a.value == null ? null : a.value.getClass(), at);
      }
    }
  }

  @Test void everyParameterArrivesAsProtobufWouldBringIt() throws Exception {
    Service.ExecuteRequest r = new Service.ExecuteRequest(
        new Meta.StatementHandle("4f1c2a9e-0b7d-4c55-9e1a-6d2f8b3c7a10", 17, null), parameters(), 100);
    byte[] body = LeanExecute.request(r, true);
    assertNotNull(body);
    assertTrue(LeanExecute.is(body));
    Service.ExecuteRequest read = LeanExecute.read(body, id -> id == 17 ? PREPARED : null);
    assertSameRequest(throughProtobuf(r), read);
    assertSame(PREPARED, read.statementHandle.signature, "the server's own signature of the statement");
  }

  /** Lengths and counts a client sends are checked against the body before anything is allocated for them. */
  @Test void lengthsBeyondTheBodyAreRefusedNotAllocated() {
    Service.ExecuteRequest r = new Service.ExecuteRequest(new Meta.StatementHandle("c", 1, null),
        Collections.singletonList(TypedValue.ofLocal(Rep.STRING, "abc")), 0);
    byte[] body = LeanExecute.request(r, false);
    int connection = 4; // after the marker bytes and the signature flag: the connection id's length
    int count = connection + 4 + 1 + 4 + 4; // then its byte, the statement id and the row limit: the values' count
    for (int at : new int[] {connection, count}) {
      for (int huge : new int[] {Integer.MAX_VALUE, 200_000_000}) {
        byte[] bad = body.clone();
        java.nio.ByteBuffer.wrap(bad).putInt(at, huge);
        assertThrows(IllegalArgumentException.class, () -> LeanExecute.read(bad, id -> PREPARED), "at " + at);
      }
    }
    byte[] bad = body.clone(); // the string's length is the body's last int but its three bytes
    java.nio.ByteBuffer.wrap(bad).putInt(bad.length - 7, Integer.MAX_VALUE);
    assertThrows(IllegalArgumentException.class, () -> LeanExecute.read(bad, id -> PREPARED));
  }

  @Test void noParametersAndNoListAndNoSignature() throws Exception {
    for (List<TypedValue> values : Arrays.asList(Collections.<TypedValue>emptyList(), null)) {
      Service.ExecuteRequest r = new Service.ExecuteRequest(new Meta.StatementHandle("c", 0, null), values, 0);
      Service.ExecuteRequest read = LeanExecute.read(LeanExecute.request(r, false), id -> PREPARED);
      assertSameRequest(throughProtobuf(r), read);
      assertNull(read.statementHandle.signature, "none was left out");
    }
  }

  @Test void aParameterTheseBytesDoNotCarryLeavesTheRequestToProtobuf() {
    for (TypedValue v : List.of(TypedValue.ofJdbc(Rep.NUMBER, new BigDecimal("1.25"), UTC),
        TypedValue.ofJdbc(Rep.BYTE_STRING, new byte[] {1, 2}, UTC),
        TypedValue.ofSerial(Rep.PRIMITIVE_CHAR, 'x'))) {
      Service.ExecuteRequest r = new Service.ExecuteRequest(new Meta.StatementHandle("c", 1, null),
          List.of(TypedValue.ofJdbc(Rep.LONG, 1L, UTC), v), 10);
      assertNull(LeanExecute.request(r, true), v.toString());
    }
  }

  @Test void aProtobufRequestIsNotTakenForOneAndAServerOfProtobufOnlyRefusesOne() throws Exception {
    Service.ExecuteRequest r = new Service.ExecuteRequest(new Meta.StatementHandle("c", 3, null),
        List.of(TypedValue.ofJdbc(Rep.LONG, 9L, UTC)), 10);
    byte[] protobuf = CompactExecute.request(PROTOBUF.serializeRequest(r), true);
    assertFalse(LeanExecute.is(protobuf));
    // what a server that reads only protobuf does with the bytes after the marker and flag
    byte[] lean = LeanExecute.request(r, true);
    assertThrows(Exception.class, () -> PROTOBUF.parseRequest(CompactExecute.avaticaRequest(lean)));
  }

  @Test void aTruncatedPaddedOrUnknownRequestIsRefused() {
    Service.ExecuteRequest r = new Service.ExecuteRequest(new Meta.StatementHandle("c", 3, null),
        List.of(TypedValue.ofJdbc(Rep.LONG, 9L, UTC)), 10);
    byte[] body = LeanExecute.request(r, true);
    assertThrows(RuntimeException.class, () -> LeanExecute.read(Arrays.copyOf(body, body.length - 1), id -> null));
    assertThrows(RuntimeException.class, () -> LeanExecute.read(Arrays.copyOf(body, body.length + 1), id -> null));
    byte[] unknown = body.clone();
    unknown[4 + 4 + 1 + 4 + 4 + 4 + 1] = 99; // the parameter's representation, after its kind
    assertThrows(IllegalArgumentException.class, () -> LeanExecute.read(unknown, id -> null));
  }
}
