package org.mmapsql.jdbc;

import java.net.URL;

import org.apache.calcite.avatica.remote.AvaticaCommonsHttpClientImpl;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * Avatica's HTTP client with a bound on retries: Avatica's own retries forever
 * when a server closes the connection without an answer or answers 503 (a
 * wrong port, a dying server), which hangs the client at full CPU.
 * {@link RemoteDriver} makes it the default {@code httpclient_impl}.
 */
public final class RemoteHttpClient extends AvaticaCommonsHttpClientImpl {
  static final int MAX_RETRIES = 3;

  @SuppressWarnings("deprecation")
  public RemoteHttpClient(URL url) {
    super(url);
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
            return EntityUtils.toByteArray(response.getEntity());
          }
          if (status == 503 && attempt < MAX_RETRIES) {
            continue;
          }
          throw new RuntimeException("Failed to execute HTTP Request, got HTTP/" + status);
        }
      } catch (NoHttpResponseException e) {
        if (attempt < MAX_RETRIES) {
          continue;
        }
        throw new RuntimeException("no answer from " + uri + ": the server closed the connection"
            + " (is it an mmapsql server, and is the scheme right: http or https?)", e);
      } catch (HttpHostConnectException e) {
        throw new RuntimeException(e.getMessage(), new java.net.ConnectException(e.getMessage()));
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }
}
