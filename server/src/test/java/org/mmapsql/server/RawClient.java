package org.mmapsql.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;

/** Speaks Avatica's protobuf protocol by hand, to send what no well-behaved driver would. */
final class RawClient {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ProtobufTranslation translation = new ProtobufTranslationImpl();
  private final URI uri;
  private final String authorization;

  RawClient(MmapServer server, String user, String password) {
    this.uri = URI.create(server.url());
    this.authorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<byte[]> post(byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> get() throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Sends a request; the response, which may be an {@link Service.ErrorResponse}. */
  Service.Response send(Service.Request request) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = post(translation.serializeRequest(request));
    return translation.parseResponse(r.body());
  }

  Service.Response parse(byte[] body) throws IOException {
    return translation.parseResponse(body);
  }
}
