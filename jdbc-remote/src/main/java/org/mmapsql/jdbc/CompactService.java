package org.mmapsql.jdbc;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.ConnectionConfig;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.AvaticaHttpClient;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.RemoteProtobufService;
import org.apache.calcite.avatica.remote.Service;

/**
 * Avatica's protobuf client service, with the execute of a prepared statement
 * on the compact path ({@link CompactExecute}) over a {@link PlainHttp}
 * socket: the same request, an answer without the signature the client
 * already has, and no Apache HTTP client in between. Every other call goes
 * over the same socket too, as an {@link AvaticaFrame}, once the server has
 * switched it to frames that take them. A call the socket cannot carry (the
 * server does not know the path or the frames, it could not be sent, another
 * thread is using the socket) goes Avatica's way, which reports errors as
 * before; a request sent whose answer did not come back is never sent again
 * (08006).
 */
final class CompactService extends RemoteProtobufService {
  private final ProtobufTranslation translation;
  /** Avatica's way; told when the server has answered a frame (its errors depend on it). */
  private final AvaticaHttpClient client;
  /** The compact path; null once the server has shown it does not know it. */
  private volatile PlainHttp compact;

  private CompactService(AvaticaHttpClient client, ProtobufTranslation translation, PlainHttp compact) {
    super(client, translation);
    this.client = client;
    this.translation = translation;
    this.compact = compact;
  }

  @Override public ExecuteResponse apply(ExecuteRequest request) {
    PlainHttp http = compact;
    if (http == null) {
      return super.apply(request);
    }
    PlainHttp.Answer answer;
    try {
      Meta.StatementHandle h = request.statementHandle;
      // The signature stays here: the server has it from prepare, and Avatica's answer would only echo it.
      ExecuteRequest lean = h.signature == null ? request : new ExecuteRequest(
          new Meta.StatementHandle(h.connectionId, h.id, null), request.parameterValues, request.maxRowCount);
      boolean leftOut = lean != request;
      answer = http.post(version -> {
        byte[] plain = version >= LeanExecute.VERSION ? LeanExecute.request(lean, leftOut) : null;
        return plain != null ? plain : CompactExecute.request(translation.serializeRequest(lean), leftOut);
      });
    } catch (PlainHttp.NotSent e) {
      return super.apply(request); // Avatica's client reports it (or reaches a restarted server)
    } catch (IOException e) {
      throw lost("statement", e);
    }
    if (answer.status == 503 && !answer.compactServer && !answer.notRun) {
      // not the server's refusal (which says it did not run): a proxy's, perhaps after it forwarded the statement
      throw lost("statement", new IOException("HTTP 503 without the mmapsql server's mark ("
          + RemoteHttpClient.NOT_RUN + "), from something in between (a proxy)"));
    }
    if (!answer.compactServer) {
      // a server without the path: it could not parse the request and executed nothing
      compact = null;
      http.close();
      return super.apply(request);
    }
    try {
      if (answer.status == 200) {
        return CompactExecute.read(request, answer.body);
      }
      if (answer.status == 500) {
        Response r = translation.parseResponse(answer.body);
        if (r instanceof ErrorResponse) {
          throw ((ErrorResponse) r).toException();
        }
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    // refused before the statement (authentication): Avatica's path gives today's error
    return super.apply(request);
  }

  /** Every call but the compact execute: as an Avatica frame when the socket takes it, else Avatica's way. */
  @Override public Response _apply(Request request) {
    PlainHttp http = compact;
    if (http == null) {
      return super._apply(request);
    }
    byte[] serialized;
    try {
      serialized = translation.serializeRequest(request);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    PlainHttp.Answer answer;
    try {
      answer = http.postFramed(AvaticaFrame.request(serialized));
    } catch (PlainHttp.NotSent e) {
      answer = null;
    } catch (IOException e) {
      throw lost("request", e);
    }
    if (answer == null || answer.status != 200 && answer.status != 500) {
      if (http.foreignServer()) {
        compact = null; // a server without the compact path (a plain Avatica one): no socket of our own
        http.close();
      }
      // not taken, not sent, or refused before it ran (authentication): Avatica's path, as before
      return super._apply(request);
    }
    if (client instanceof RemoteHttpClient) {
      ((RemoteHttpClient) client).answered();
    }
    Response r;
    try {
      r = translation.parseResponse(answer.body);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    if (r instanceof ErrorResponse) {
      throw ((ErrorResponse) r).toException();
    }
    return r;
  }

  /** A request went out and its answer did not come: the server may have run it, so it is not sent again. */
  private static AvaticaClientRuntimeException lost(String what, IOException e) {
    return new AvaticaClientRuntimeException("the connection to the server broke while it ran the " + what
        + ", which may or may not have taken effect: " + e, -1, "08006", AvaticaSeverity.ERROR,
        java.util.Collections.emptyList(), null);
  }

  @Override public CloseConnectionResponse apply(CloseConnectionRequest request) {
    try {
      return super.apply(request);
    } finally {
      PlainHttp http = compact;
      if (http != null) {
        http.close();
      }
    }
  }

  /**
   * Makes the service of each connection of the mmapsql driver (the
   * connection property {@code factory}, which {@link RemoteDriver} sets):
   * Avatica's HTTP client as configured, and the compact path when it is on
   * and the server is plain HTTP with no or BASIC authentication.
   */
  public static final class Factory implements Service.Factory {
    @Override public Service create(AvaticaConnection connection) {
      ConnectionConfig config = connection.config();
      URL url;
      try {
        url = new java.net.URI(config.url()).toURL();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
      AvaticaHttpClient client = config.httpClientFactory().getClient(url, config,
          connection.getKerberosConnection());
      return new CompactService(client, new ProtobufTranslationImpl(), compact(connection, config, url));
    }

    private static PlainHttp compact(AvaticaConnection connection, ConnectionConfig config, URL url) {
      String on = ((RemoteConnection) connection).property(CompactExecute.PROPERTY);
      if (!CompactExecute.COMPACT.equalsIgnoreCase(on) || !url.getProtocol().equalsIgnoreCase("http")) {
        return null; // TLS stays with Avatica's client, which knows the trust store settings
      }
      String authorization = null;
      String scheme = config.authentication();
      if (scheme != null && !scheme.isEmpty() && !scheme.equalsIgnoreCase("NONE")) {
        if (!scheme.toUpperCase(Locale.ROOT).equals("BASIC") || config.avaticaUser() == null) {
          return null;
        }
        String pair = config.avaticaUser() + ":" + (config.avaticaPassword() == null ? "" : config.avaticaPassword());
        authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
      }
      String path = url.getPath().endsWith("/") ? url.getPath().substring(0, url.getPath().length() - 1)
          : url.getPath();
      String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
          : url.getHost();
      return new PlainHttp(host, url.getPort() < 0 ? 80 : url.getPort(), path + CompactExecute.PATH,
          authorization, (int) Math.min(Integer.MAX_VALUE, config.getHttpConnectionTimeout()),
          (int) Math.min(Integer.MAX_VALUE, config.getHttpResponseTimeout()));
    }
  }
}
