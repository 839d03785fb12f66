package org.mmapsql.server;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.ProtobufHandler;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.mmapsql.jdbc.AvaticaFrame;
import org.mmapsql.jdbc.CompactExecute;
import org.mmapsql.jdbc.LeanExecute;

/**
 * The server's side of the compact execute ({@link CompactExecute}): Avatica's
 * execute request in, through the same service as Avatica's handler (so
 * {@link GuardedMeta}'s checks, the statement log and timeout of
 * {@link MmapMeta} apply), the compact response out; an error as the protobuf
 * error response Avatica's handler would send. Also answers any Avatica
 * request that came as a frame ({@link AvaticaFrame}), as Avatica's protobuf
 * handler answers it on Avatica's path. Authentication and the body limit are
 * the HTTP layer's, before this.
 */
final class CompactEndpoint {
  /** An HTTP status and body. */
  record Answer(int status, byte[] body) {
  }

  private final Service service;
  /** A prepared statement's signature by statement id, as prepare made it; null if there is none. */
  private final IntFunction<Meta.Signature> prepared;
  private final ProtobufTranslation translation = new ProtobufTranslationImpl();
  /** Avatica's own handler of protobuf requests: the one its HTTP handler calls. */
  private final ProtobufHandler handler;
  /** Requests that came in {@link LeanExecute}'s bytes. */
  private final LongAdder lean = new LongAdder();

  CompactEndpoint(Service service, IntFunction<Meta.Signature> prepared) {
    this.service = service;
    this.prepared = prepared;
    this.handler = new ProtobufHandler(service, translation, NoopMetricsSystem.getInstance());
  }

  /** The server's address in error responses, as Avatica's handler has it. */
  void setRpcMetadata(Service.RpcMetadataResponse metadata) {
    handler.setRpcMetadata(metadata);
  }

  /** The answer to an {@link AvaticaFrame}: what Avatica's protobuf handler answers its request. */
  Answer answerAvatica(byte[] body) {
    var a = handler.apply(AvaticaFrame.avaticaRequest(body));
    return new Answer(a.getStatusCode(), a.getResponse());
  }

  /** Requests answered that came in {@link LeanExecute}'s bytes. */
  long leanRequests() {
    return lean.sum();
  }

  Answer answer(byte[] body) {
    try {
      if (LeanExecute.is(body)) {
        Service.ExecuteRequest execute = LeanExecute.read(body, prepared);
        lean.increment();
        return new Answer(200, CompactExecute.response(execute, service.apply(execute)));
      }
      byte[] avatica = CompactExecute.avaticaRequest(body);
      Service.Request request = avatica == null ? null : translation.parseRequest(avatica);
      if (!(request instanceof Service.ExecuteRequest)) {
        throw new IllegalArgumentException(CompactExecute.PATH + " takes only the execute of a prepared statement");
      }
      Service.ExecuteRequest execute = (Service.ExecuteRequest) request;
      if (CompactExecute.signatureLeftOut(body)) {
        // As Avatica's client sends it: the signature of a statement prepared as a query. Without one
        // (the statement is gone) the execute reports the missing statement, as on Avatica's path.
        Meta.StatementHandle h = execute.statementHandle;
        execute = new Service.ExecuteRequest(new Meta.StatementHandle(h.connectionId, h.id, prepared.apply(h.id)),
            execute.parameterValues, execute.maxRowCount);
      }
      return new Answer(200, CompactExecute.response(execute, service.apply(execute)));
    } catch (Exception e) {
      // a request the service never saw (not an execute, not protobuf) has no GuardedMeta to strip its trace
      for (Throwable c = e; c != null; c = c.getCause()) {
        c.setStackTrace(new StackTraceElement[0]);
      }
      return new Answer(500, handler.convertToErrorResponse(e).getResponse());
    }
  }
}
