package org.mmapsql.jdbc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URL;
import java.util.Collections;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.ConnectionConfig;
import org.apache.calcite.avatica.remote.AvaticaCommonsHttpClientImpl;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
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
 * answered before cannot be reached), and retries 503 a few times.
 * {@link RemoteDriver} makes it the default {@code httpclient_impl}.
 */
public final class RemoteHttpClient extends AvaticaCommonsHttpClientImpl {
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
          if (status == 503 && attempt < MAX_RETRIES) {
            continue; // refused before the request ran
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

  /** A connection failure after the server had answered (08006: connection failure). */
  private static AvaticaClientRuntimeException broken(String message) {
    return new AvaticaClientRuntimeException(message, -1, "08006", AvaticaSeverity.ERROR,
        Collections.emptyList(), null);
  }
}
