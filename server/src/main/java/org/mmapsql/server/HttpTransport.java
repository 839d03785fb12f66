package org.mmapsql.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import javax.servlet.ReadListener;
import javax.servlet.ServletException;
import javax.servlet.ServletInputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;
import javax.servlet.http.HttpServletResponse;

import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.JsonHandler;
import org.apache.calcite.avatica.remote.ProtobufHandler;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.AvaticaJsonHandler;
import org.apache.calcite.avatica.server.AvaticaProtobufHandler;
import org.eclipse.jetty.io.ChannelEndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.OptionalSslConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.mmapsql.jdbc.AvaticaFrame;
import org.mmapsql.jdbc.CompactExecute;
import org.mmapsql.jdbc.LeanExecute;
import org.mmapsql.jdbc.RemoteHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer, and the only class that knows Jetty: avatica-server 1.28
 * still ships Jetty 9.4, which is end of life, and moving to another server
 * must touch only this class. It listens on one address (TLS when a keystore is
 * given), checks HTTP BASIC credentials, bounds the request body, and hands
 * each request to Avatica's handler as the authenticated {@link User}
 * ({@link Identity}).
 */
final class HttpTransport {
  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  static final String REALM = "mmapsql";
  /** What the compact path of this server reads: execute requests in protobuf, and in {@link LeanExecute}'s bytes. */
  private static final String COMPACT_VERSION = Integer.toString(LeanExecute.VERSION);

  /** Checks a user name and password: the user, or null when they are wrong. */
  interface Authenticator {
    User authenticate(String name, char[] password);
  }

  private final ServerConfig config;
  private final Authenticator auth;
  private final AvaticaHandler avatica;
  private final ErrorEncoder errors;
  private final Server server;
  private final ServerConnector connector;
  private final StatisticsHandler stats;
  private final Compact compact;

  HttpTransport(ServerConfig config, Service service, Authenticator auth,
      java.util.function.IntFunction<org.apache.calcite.avatica.Meta.Signature> preparedSignatures) {
    this.config = config;
    this.auth = auth;
    boolean json = config.serialization().equals("json");
    this.avatica = json
        ? new AvaticaJsonHandler(service, NoopMetricsSystem.getInstance(), null)
        : new AvaticaProtobufHandler(service, NoopMetricsSystem.getInstance(), null);
    this.errors = json ? new JsonErrors(service) : new ProtobufErrors(service);

    QueuedThreadPool pool = new QueuedThreadPool(config.maxThreads(), Math.min(4, config.maxThreads()), 60_000);
    pool.setName("mmapsql-http");
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(MAX_HEADER_BYTES);
    if (config.tlsKeystore() != null) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      String path = config.tlsKeystore().toAbsolutePath().toString();
      ssl.setKeyStorePath(path);
      ssl.setKeyStoreType(path.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12");
      if (config.tlsKeystorePassword() != null) {
        ssl.setKeyStorePassword(new String(config.tlsKeystorePassword()));
      }
      http.addCustomizer(new SecureRequestCustomizer());
      SslConnectionFactory tls = new SslConnectionFactory(ssl, "http/1.1");
      // Plain HTTP on the TLS port gets an error that says so (Front), rather than a closed
      // connection, which Avatica's client retries forever.
      connector = new ServerConnector(server, new OptionalSslConnectionFactory(tls, "http/1.1"), tls,
          new HttpConnectionFactory(http));
    } else {
      connector = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setIdleTimeout(60_000);
    server.addConnector(connector);

    Front front = new Front();
    compact = new Compact(new CompactEndpoint(service, preparedSignatures), !json);
    compact.setHandler(avatica);
    front.setHandler(compact);
    stats = new StatisticsHandler(); // lets a stop wait for requests in flight
    stats.setHandler(front);
    server.setHandler(stats);
    server.setErrorHandler(new QuietErrors());
    server.setStopTimeout(config.shutdownGrace().toMillis());
    server.setStopAtShutdown(false);
  }

  void start() throws Exception {
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    Service.RpcMetadataResponse metadata = new Service.RpcMetadataResponse(config.host() + ":" + port());
    avatica.setServerRpcMetadata(metadata);
    compact.endpoint.setRpcMetadata(metadata);
  }

  int port() {
    return connector.getLocalPort();
  }

  /** Requests answered since the start: HTTP requests, and executes on connections upgraded to compact frames. */
  long requests() {
    return stats.getRequests() + compact.framed.sum();
  }

  /** HTTP requests answered since the start, not counting frames. */
  long httpOnlyRequests() {
    return stats.getRequests();
  }

  /** Compact executes answered since the start. */
  long compactExecutes() {
    return compact.answered.sum();
  }

  /** Avatica requests answered as frames ({@link AvaticaFrame}) since the start. */
  long avaticaFrames() {
    return compact.avaticaFrames.sum();
  }

  /** Compact executes whose request came in plain bytes ({@link LeanExecute}), not protobuf. */
  long leanExecutes() {
    return compact.endpoint.leanRequests();
  }

  /** Frames being answered now. */
  int compactFramesInFlight() {
    return compact.inFlight.get();
  }

  /** Most frames answered at once since the start (never above --max-threads). */
  int compactFramesPeak() {
    return compact.peak.get();
  }

  /** Connections switched to compact frames, open now. */
  int compactConnections() {
    return compact.channels.size();
  }

  String url() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return (config.tlsKeystore() != null ? "https" : "http") + "://" + host + ":" + port();
  }

  /**
   * Stops accepting, waits up to the grace period for requests in flight
   * (on connections upgraded to compact frames too), then stops.
   */
  void stop() throws Exception {
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    compact.stopping = true;
    for (CompactChannel c : compact.channels) {
      c.stop();
    }
    for (CompactChannel c : compact.channels) {
      c.awaitEnd(Math.max(0, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    server.stop();
  }

  void join() throws InterruptedException {
    server.join();
  }

  /**
   * Jetty's error answers, without stacks. Its 503s are requests refused
   * before they ran (a stop: {@link StatisticsHandler} refuses new ones), and
   * say so: the driver sends again only a 503 that does ({@link
   * RemoteHttpClient#NOT_RUN}), not one a proxy gives after forwarding.
   */
  private static final class QuietErrors extends ErrorHandler {
    QuietErrors() {
      setShowStacks(false);
      setShowServlet(false);
    }

    @Override public void handle(String target, Request baseRequest, HttpServletRequest request,
        HttpServletResponse response) throws IOException, ServletException {
      if (response.getStatus() == HttpServletResponse.SC_SERVICE_UNAVAILABLE) {
        response.setHeader(RemoteHttpClient.NOT_RUN, "1");
      }
      super.handle(target, baseRequest, request, response);
    }
  }

  /** Authentication, the body limit and the user's identity, before Avatica. */
  private final class Front extends HandlerWrapper {
    @Override public void handle(String target, Request baseRequest, HttpServletRequest request,
        HttpServletResponse response) throws IOException, ServletException {
      if (config.tlsKeystore() != null && !request.isSecure()) {
        reject(baseRequest, response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
            "this mmapsql server accepts only HTTPS: use url=https://...", "08001");
        return;
      }
      User user = User.ANONYMOUS;
      if (auth != null) {
        String[] credentials = basic(request.getHeader("Authorization"));
        if (credentials == null) {
          reject(baseRequest, response, HttpServletResponse.SC_UNAUTHORIZED,
              "authentication required: this mmapsql server needs a user name and password", "28000");
          return;
        }
        char[] password = credentials[1].toCharArray();
        try {
          user = auth.authenticate(credentials[0], password);
        } finally {
          Arrays.fill(password, '\0');
        }
        if (user == null) {
          LOG.warn("authentication failed for user '{}' from {}", credentials[0], request.getRemoteAddr());
          reject(baseRequest, response, HttpServletResponse.SC_UNAUTHORIZED,
              "authentication failed: wrong user name or password", "28000");
          return;
        }
      }
      long max = config.maxRequestBytes();
      if (request.getContentLengthLong() > max) {
        tooLarge(baseRequest, response, request.getContentLengthLong());
        return;
      }
      HttpServletRequest limited = new Limited(request, max);
      try {
        Identity.runAs(user, () -> {
          getHandler().handle(target, baseRequest, limited, response);
          return null;
        });
      } catch (TooLarge e) {
        if (!response.isCommitted()) {
          response.reset();
          tooLarge(baseRequest, response, -1);
        }
      } catch (IOException | ServletException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new ServletException(e);
      }
    }

    private void tooLarge(Request baseRequest, HttpServletResponse response, long length)
        throws IOException {
      response.setHeader("Connection", "close");
      // 500 with an Avatica error: Avatica's client reads the error only from a 200 or a 500.
      reject(baseRequest, response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, tooLargeMessage(length),
          "54000");
    }

    private void reject(Request baseRequest, HttpServletResponse response, int status, String message,
        String sqlState) throws IOException {
      response.setHeader(CompactExecute.HEADER, COMPACT_VERSION); // this server knows the compact path
      if (status == HttpServletResponse.SC_UNAUTHORIZED) {
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
      }
      response.setStatus(status);
      response.setContentType(errors.contentType());
      response.getOutputStream().write(errors.encode(message, sqlState));
      baseRequest.setHandled(true);
    }
  }

  private String tooLargeMessage(long length) {
    return "request too large: " + (length >= 0 ? length + " bytes; " : "") + "the server accepts at most "
        + config.maxRequestBytes() + " bytes (server option --max-request-size); send large batches in parts";
  }

  /**
   * Takes the compact execute ({@link CompactExecute#PATH}), and the switch of a
   * connection to compact frames ({@link CompactExecute#UPGRADE}), whose frames
   * are compact executes or, with protobuf, any other Avatica request
   * ({@link AvaticaFrame}); everything else goes on to Avatica.
   */
  private final class Compact extends HandlerWrapper {
    private final CompactEndpoint endpoint;
    /** Whether switched sockets take Avatica's requests: only when Avatica's path speaks protobuf. */
    private final boolean avaticaRequests;
    private final LongAdder answered = new LongAdder();
    private final LongAdder avaticaFrames = new LongAdder();
    /** Requests answered on upgraded connections. */
    private final LongAdder framed = new LongAdder();
    private final Set<CompactChannel> channels = ConcurrentHashMap.newKeySet();
    /**
     * Sockets switched or being switched, at most --max-connections: a slot is
     * taken before the 101 and given back when the socket ends (counting the
     * channels instead let clients switching at once all pass the check).
     */
    private final Semaphore slots = new Semaphore(config.maxConnections());
    /** Frames being answered, at most as many as HTTP requests served at once. */
    private final Semaphore running = new Semaphore(config.maxThreads());
    /** Frames being answered now, and the most at once since the start. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private volatile boolean stopping;

    Compact(CompactEndpoint endpoint, boolean avaticaRequests) {
      this.endpoint = endpoint;
      this.avaticaRequests = avaticaRequests;
    }

    @Override public void handle(String target, Request baseRequest, HttpServletRequest request,
        HttpServletResponse response) throws IOException, ServletException {
      if (!CompactExecute.PATH.equals(target) || !"POST".equals(request.getMethod())) {
        super.handle(target, baseRequest, request, response);
        return;
      }
      if (CompactExecute.UPGRADE.equalsIgnoreCase(request.getHeader("Upgrade"))) {
        upgrade(baseRequest, request, response);
        return;
      }
      // Front has bounded the length; reading exactly that many bytes makes one array, not a chain of buffers.
      long length = request.getContentLengthLong();
      byte[] body = length >= 0 ? request.getInputStream().readNBytes((int) length)
          : request.getInputStream().readAllBytes();
      CompactEndpoint.Answer a = endpoint.answer(body);
      answered.increment();
      response.setStatus(a.status());
      response.setHeader(CompactExecute.HEADER, COMPACT_VERSION);
      response.setContentType(a.status() == 200 ? CompactExecute.CONTENT_TYPE : "application/octet-stream");
      response.setContentLength(a.body().length);
      response.getOutputStream().write(a.body());
      baseRequest.setHandled(true);
    }

    /**
     * Switches the connection to compact frames (101), or says why not with an
     * empty 200 (TLS, the server stopping, as many switched connections as the
     * server allows connections): the client then stays on HTTP.
     */
    private void upgrade(Request baseRequest, HttpServletRequest request, HttpServletResponse response) {
      response.setHeader(CompactExecute.HEADER, COMPACT_VERSION);
      baseRequest.setHandled(true);
      if (!(baseRequest.getHttpChannel().getEndPoint() instanceof ChannelEndPoint endPoint) || stopping
          || request.getContentLengthLong() > 0 || !slots.tryAcquire()) {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentLength(0);
        return;
      }
      CompactChannel channel = new CompactChannel(endPoint, new FrameAnswers(MmapMeta.user(),
          basic(request.getHeader("Authorization"))), config.maxRequestBytes(), connector.getIdleTimeout(),
          channels, slots::release);
      request.setAttribute(HttpConnection.UPGRADE_CONNECTION_ATTRIBUTE, channel);
      response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
      response.setHeader("Upgrade", CompactExecute.UPGRADE);
      response.setHeader("Connection", "Upgrade");
      if (avaticaRequests) {
        response.setHeader(AvaticaFrame.HEADER, AvaticaFrame.AVATICA);
      }
    }

    /**
     * Answers the frames of one upgraded connection as the user who switched
     * it, whose credentials are checked again for every frame (the users file
     * may have changed), as the HTTP layer checks every request.
     */
    private final class FrameAnswers implements CompactChannel.Answers {
      private final User user;
      private final String[] credentials;

      FrameAnswers(User user, String[] credentials) {
        this.user = user;
        this.credentials = credentials;
      }

      @Override public CompactChannel.Answer answer(byte[] body) {
        framed.increment();
        User u = user;
        if (auth != null) {
          char[] password = credentials == null ? new char[0] : credentials[1].toCharArray();
          try {
            u = credentials == null ? null : auth.authenticate(credentials[0], password);
          } finally {
            Arrays.fill(password, '\0');
          }
          if (u == null || !u.equals(user)) {
            // Avatica's path then gives the client today's error
            return new CompactChannel.Answer(HttpServletResponse.SC_UNAUTHORIZED,
                errors.encode("authentication failed: wrong user name or password", "28000"), true);
          }
        }
        boolean avatica = avaticaRequests && AvaticaFrame.is(body);
        CompactEndpoint.Answer a;
        running.acquireUninterruptibly(); // --max-threads: each switched socket has a thread, not each a statement
        try {
          peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          a = Identity.runAs(u, () -> avatica ? endpoint.answerAvatica(body) : endpoint.answer(body));
        } catch (Exception e) {
          throw new IllegalStateException(e); // the endpoint reports its errors itself
        } finally {
          inFlight.decrementAndGet();
          running.release();
        }
        (avatica ? avaticaFrames : answered).increment();
        return new CompactChannel.Answer(a.status(), a.body(), false);
      }

      @Override public CompactChannel.Answer tooLarge(long length) {
        framed.increment();
        return new CompactChannel.Answer(HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
            errors.encode(tooLargeMessage(length), "54000"), true);
      }
    }
  }

  /** User name and password of an HTTP BASIC header, or null. */
  static String[] basic(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }

  /** A request whose body may not be longer than a limit. */
  private static final class Limited extends HttpServletRequestWrapper {
    private final long max;

    Limited(HttpServletRequest request, long max) {
      super(request);
      this.max = max;
    }

    @Override public ServletInputStream getInputStream() throws IOException {
      ServletInputStream in = super.getInputStream();
      return new ServletInputStream() {
        private long read;

        @Override public int read() throws IOException {
          int b = in.read();
          if (b >= 0) {
            count(1);
          }
          return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
          int n = in.read(b, off, len);
          if (n > 0) {
            count(n);
          }
          return n;
        }

        private void count(int n) throws TooLarge {
          read += n;
          if (read > max) {
            throw new TooLarge();
          }
        }

        @Override public boolean isFinished() {
          return in.isFinished();
        }

        @Override public boolean isReady() {
          return in.isReady();
        }

        @Override public void setReadListener(ReadListener l) {
          in.setReadListener(l);
        }

        @Override public void close() throws IOException {
          in.close();
        }
      };
    }
  }

  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Avatica error responses in the server's serialization. */
  private interface ErrorEncoder {
    String contentType();

    byte[] encode(String message, String sqlState);
  }

  private static AvaticaRuntimeException avaticaError(String message, String sqlState) {
    return new AvaticaRuntimeException(message, -1, sqlState, AvaticaSeverity.ERROR);
  }

  private static final class ProtobufErrors implements ErrorEncoder {
    private final ProtobufHandler handler;

    ProtobufErrors(Service service) {
      handler = new ProtobufHandler(service, new ProtobufTranslationImpl(), NoopMetricsSystem.getInstance());
    }

    @Override public String contentType() {
      return "application/octet-stream;charset=utf-8";
    }

    @Override public byte[] encode(String message, String sqlState) {
      return handler.convertToErrorResponse(avaticaError(message, sqlState)).getResponse();
    }
  }

  private static final class JsonErrors implements ErrorEncoder {
    private final JsonHandler handler;

    JsonErrors(Service service) {
      handler = new JsonHandler(service, NoopMetricsSystem.getInstance());
    }

    @Override public String contentType() {
      return "application/json;charset=utf-8";
    }

    @Override public byte[] encode(String message, String sqlState) {
      return handler.convertToErrorResponse(avaticaError(message, sqlState)).getResponse()
          .getBytes(StandardCharsets.UTF_8);
    }
  }
}
