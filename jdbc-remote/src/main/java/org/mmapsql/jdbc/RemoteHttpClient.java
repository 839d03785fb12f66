package org.mmapsql.jdbc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.ConnectionConfig;
import org.apache.calcite.avatica.remote.AvaticaCommonsHttpClientImpl;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.auth.StandardAuthScheme;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;

/**
 * Avatica's HTTP client, sending a request at most once: Avatica's own sends
 * a request again, forever, when the connection closes without an answer (a
 * write the server ran runs again) and when the server answers 503 (a dying
 * server), which hangs the client at full CPU. This one checks a pooled
 * connection idle for a second for the server's close before a request goes
 * out on it (as {@link PlainHttp} does), fails with SQLSTATE 08006 once a
 * request went out and its answer did not come (or when the server that
 * answered before cannot be reached), and retries a few times a 503 that
 * says the request did not run ({@link #NOT_RUN}): a 503 without it may come
 * from a proxy after it forwarded the request, which may have run, so it
 * fails like a lost answer.
 * {@link RemoteDriver} makes it the default {@code httpclient_impl}.
 */
public final class RemoteHttpClient extends AvaticaCommonsHttpClientImpl {
  /** The header with which an mmapsql server's 503 says it refused the request before running it. */
  public static final String NOT_RUN = "X-Mmapsql-Not-Run";
  static final int MAX_RETRIES = 3;
  /** A pooled connection idle this long is checked before reuse: the server closes idle ones. */
  static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofSeconds(1);

  /** Whether the server has answered this client: a lost answer before that is a wrong server or scheme. */
  private volatile boolean answered;

  @SuppressWarnings("deprecation")
  public RemoteHttpClient(URL url) {
    super(url);
  }

  /**
   * Avatica's pool (shared by the connections with the same TLS settings)
   * checks a connection idle for {@link #CHECK_AFTER_IDLE} before lending it.
   */
  @Override public void setHttpClientPool(PoolingHttpClientConnectionManager pool, ConnectionConfig config) {
    pool.setDefaultConnectionConfig(org.apache.hc.client5.http.config.ConnectionConfig.custom()
        .setValidateAfterInactivity(CHECK_AFTER_IDLE).build());
    super.setHttpClientPool(pool, config);
  }

  /**
   * Avatica's client, without Apache's automatic retries: they send a POST
   * again by themselves after a 503 (once, a second later), which a proxy may
   * answer after it forwarded the request; {@link #send} decides instead.
   */
  @Override protected void initializeClient(PoolingHttpClientConnectionManager pool, ConnectionConfig config) {
    super.initializeClient(pool, config);
    client = HttpClients.custom().setConnectionManager(pool).setDefaultRequestConfig(requestConfig())
        .disableAutomaticRetries().build();
  }

  /** The request settings Avatica's client makes (its method is private): timeouts, the auth schemes it knows. */
  private RequestConfig requestConfig() {
    RequestConfig.Builder b = RequestConfig.custom()
        .setConnectTimeout(connectTimeout, TimeUnit.MILLISECONDS)
        .setResponseTimeout(responseTimeout, TimeUnit.MILLISECONDS);
    if (authRegistry != null) {
      List<String> schemes = new ArrayList<>();
      for (String scheme : List.of(StandardAuthScheme.DIGEST, StandardAuthScheme.BASIC, StandardAuthScheme.SPNEGO,
          StandardAuthScheme.BEARER)) {
        if (authRegistry.lookup(scheme) != null) {
          schemes.add(scheme);
        }
      }
      b.setTargetPreferredAuthSchemes(schemes).setProxyPreferredAuthSchemes(schemes);
    }
    return b.build();
  }

  /** The server has answered this connection on another path (a frame): it is the right server. */
  void answered() {
    if (!answered) {
      answered = true;
    }
  }

  @Override public byte[] send(byte[] request) {
    for (int attempt = 0; ; attempt++) {
      HttpPost post = new HttpPost(uri);
      post.setEntity(new ByteArrayEntity(request, ContentType.APPLICATION_OCTET_STREAM));
      try {
        if (httpHost == null) {
          httpHost = RoutingSupport.determineHost(post);
        }
        try (ClassicHttpResponse response = client.executeOpen(httpHost, post, context)) {
          int status = response.getCode();
          if (status == 200 || status == 500) {
            userToken = context.getUserToken();
            byte[] body = EntityUtils.toByteArray(response.getEntity());
            answered = true;
            return body;
          }
          if (status == 503 && !response.containsHeader(NOT_RUN)) {
            throw notOurs();
          }
          if (status == 503 && attempt < MAX_RETRIES) {
            continue; // the server refused it before it ran
          }
          throw new RuntimeException("Failed to execute HTTP Request, got HTTP/" + status);
        }
      } catch (HttpHostConnectException e) {
        throw unreachable(e, new ConnectException(e.getMessage()));
      } catch (ConnectException | NoRouteToHostException | ConnectTimeoutException e) {
        throw unreachable(e, e);
      } catch (IOException e) {
        // the request went out (no answer, a reset, a timeout, an answer cut short): never sent again
        throw lost(e);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  /** The connection could not be opened: the request did not go out. */
  private RuntimeException unreachable(Exception e, Throwable cause) {
    if (answered) {
      return broken("cannot reach the server (" + e.getMessage() + "); the request did not go out");
    }
    return new RuntimeException(e.getMessage(), cause); // while connecting: RemoteDriver says why
  }

  /** The request went out and its answer did not come: the server may have run it, so it is not sent again. */
  private RuntimeException lost(Exception e) {
    if (answered) {
      return broken("the connection to the server broke while it ran the request,"
          + " which may or may not have taken effect: " + e);
    }
    if (e instanceof NoHttpResponseException) {
      return new RuntimeException("no answer from " + uri + ": the server closed the connection"
          + " (is it an mmapsql server, and is the scheme right: http or https?)", e);
    }
    return new RuntimeException(e); // while connecting: RemoteDriver says why
  }

  /** A 503 the server did not mark as refused before it ran: something in between (a proxy) may have forwarded it. */
  private RuntimeException notOurs() {
    String why = "HTTP 503 without the mmapsql server's mark (" + NOT_RUN + "): it came from something in"
        + " between (a proxy), which may have forwarded the request, so it is not sent again";
    if (answered) {
      return broken(why + "; the request may or may not have taken effect");
    }
    return new RuntimeException("no answer from the mmapsql server at " + uri + ": " + why);
  }

  /** A connection failure after the server had answered (08006: connection failure). */
  private static AvaticaClientRuntimeException broken(String message) {
    return new AvaticaClientRuntimeException(message, -1, "08006", AvaticaSeverity.ERROR,
        Collections.emptyList(), null);
  }
}
