package org.mmapsql.jdbc;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A minimal HTTP/1.1 client: POSTs to one path of one plain-HTTP server over one
 * kept-alive socket, one request at a time. What the compact execute
 * ({@link CompactExecute}) needs, and nothing more: a request is written in one
 * piece, an answer read by its Content-Length (or chunks). A new socket asks
 * the server to switch it to compact frames ({@link CompactExecute#UPGRADE});
 * when it does, a request and its answer are a frame each, with no HTTP
 * headers to write or parse. A request is sent
 * at most once: a socket idle for a while is checked before it is written to
 * (the server closes idle connections), and a failure once the request was
 * written is reported as such ({@link NotSent} only when nothing went out),
 * since the server may have run the statement. A server whose switch says
 * so ({@link AvaticaFrame#HEADER}) takes Avatica's other requests as frames
 * too ({@link #postFramed}).
 */
final class PlainHttp implements AutoCloseable {
  /**
   * An answer: its status, whether the server knows the compact path, whether
   * it says the request did not run ({@link RemoteHttpClient#NOT_RUN}), its body.
   */
  static final class Answer {
    final int status;
    final boolean compactServer;
    final boolean notRun;
    final byte[] body;

    Answer(int status, boolean compactServer, byte[] body) {
      this(status, compactServer, false, body);
    }

    Answer(int status, boolean compactServer, boolean notRun, byte[] body) {
      this.status = status;
      this.compactServer = compactServer;
      this.notRun = notRun;
      this.body = body;
    }
  }

  /** Nothing of the request went out: sending it again, on any path, cannot run it twice. */
  static final class NotSent extends IOException {
    private static final long serialVersionUID = 1L;

    NotSent(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static final Cleaner CLEANER = Cleaner.create();

  /** Closes a socket and its deadline (holds neither this nor its connection, which would keep them reachable). */
  private static final class Release implements Runnable {
    private final SocketChannel socket;
    private final ReadDeadline deadline;

    Release(SocketChannel socket, ReadDeadline deadline) {
      this.socket = socket;
      this.deadline = deadline;
    }

    @Override public void run() {
      deadline.close();
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** A socket idle this long is checked for the server's close before a request goes out on it. */
  private static final long CHECK_AFTER_IDLE_NANOS = 1_000_000_000L;

  private final String host;
  private final int port;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  /** The request line and headers up to the Content-Length value. */
  private final byte[] head;
  /** The request to switch a new socket to compact frames. */
  private final byte[] upgradeRequest;
  /** One request at a time; a second thread's request goes Avatica's way rather than wait for it. */
  private final ReentrantLock lock = new ReentrantLock();
  /** Blocking: its reads wait without a poll before them ({@link ReadDeadline}). */
  private SocketChannel socket;
  private ReadDeadline deadline;
  /** Closes the socket and its deadline: at {@link #close}, or once this is no longer reachable. */
  private Cleaner.Cleanable release;
  /** Whether the socket switched to compact frames. */
  private boolean framed;
  /** Whether its frames take Avatica's requests as well ({@link AvaticaFrame}). */
  private boolean avaticaFrames;
  /** Whether the server answered the switch without knowing the compact path (not mmapsql, or older). */
  private volatile boolean foreignServer;
  private InputStream in;
  private OutputStream out;
  private long lastUsed;
  /** The version of the compact path the server of this socket said it knows ({@link CompactExecute#HEADER}). */
  private int serverVersion;

  PlainHttp(String host, int port, String path, String authorization, int connectTimeoutMillis,
      int readTimeoutMillis) {
    this.host = host;
    this.port = port;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.readTimeoutMillis = readTimeoutMillis;
    String h = "POST " + path + " HTTP/1.1\r\nHost: " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port
        + "\r\nContent-Type: application/octet-stream\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
        + "Content-Length: ";
    this.head = h.getBytes(StandardCharsets.ISO_8859_1);
    this.upgradeRequest = (h.substring(0, h.length() - "Content-Length: ".length()) + "Upgrade: "
        + CompactExecute.UPGRADE + "\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A request's body for the version of the compact path the server knows (0 if it did not say). */
  interface Body {
    byte[] forVersion(int version) throws IOException;
  }

  /** Posts {@code body} and reads the answer. */
  Answer post(byte[] body) throws IOException {
    return post(version -> body);
  }

  /**
   * Posts the body {@code bodyFor} makes once the socket is open, and reads
   * the answer; {@link NotSent} when another thread is using the socket (the
   * caller then goes Avatica's way: nothing went out).
   */
  Answer post(Body bodyFor) throws IOException {
    if (!lock.tryLock()) {
      throw new NotSent(new IOException("the connection's socket is busy with another thread's request"));
    }
    try {
      return exchange(bodyFor, false);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends an Avatica request as a frame ({@link AvaticaFrame}) and reads its
   * answer; null, with nothing sent, when the socket does not take such frames
   * (the server did not switch it, or is older) or another thread is using it:
   * the caller then goes Avatica's way, as before.
   */
  Answer postFramed(byte[] body) throws IOException {
    if (!lock.tryLock()) {
      return null;
    }
    try {
      return exchange(version -> body, true);
    } finally {
      lock.unlock();
    }
  }

  private Answer exchange(Body bodyFor, boolean onlyAvaticaFrames) throws IOException {
    try {
      return send(bodyFor, onlyAvaticaFrames);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    } finally {
      lastUsed = System.nanoTime();
    }
  }

  private Answer send(Body bodyFor, boolean onlyAvaticaFrames) throws IOException {
    if (socket != null && System.nanoTime() - lastUsed > CHECK_AFTER_IDLE_NANOS && closedByServer()) {
      close();
    }
    try {
      if (socket == null) {
        open();
      }
      if (onlyAvaticaFrames && !(framed && avaticaFrames)) {
        return null;
      }
      byte[] body = bodyFor.forVersion(serverVersion);
      out.write(framed ? frame(body) : request(head, body));
      out.flush();
    } catch (IOException e) {
      throw new NotSent(e); // the server cannot run a request it did not receive whole
    }
    return framed ? read(this::frameAnswer) : read(this::answer);
  }

  /** What reads an answer. */
  private interface Reader {
    Answer read() throws IOException;
  }

  /** Reads an answer under the read timeout. */
  private Answer read(Reader reader) throws IOException {
    ReadDeadline d = deadline;
    d.arm();
    try {
      return reader.read();
    } catch (IOException e) {
      throw d.expired() ? d.timeout() : e;
    } finally {
      d.disarm();
    }
  }

  private static byte[] request(byte[] head, byte[] body) {
    byte[] length = (body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = new byte[head.length + length.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(length, 0, request, head.length, length.length);
    System.arraycopy(body, 0, request, head.length + length.length, body.length);
    return request;
  }

  private static byte[] frame(byte[] body) {
    byte[] frame = new byte[4 + body.length];
    int n = body.length;
    frame[0] = (byte) (n >>> 24);
    frame[1] = (byte) (n >>> 16);
    frame[2] = (byte) (n >>> 8);
    frame[3] = (byte) n;
    System.arraycopy(body, 0, frame, 4, n);
    return frame;
  }

  /** An answer frame: status, length, body. */
  private Answer frameAnswer() throws IOException {
    int status = int32();
    int length = int32();
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException("the answer ended early");
    }
    if ((status & CompactExecute.FRAME_CLOSES) != 0) {
      close(); // the server ends the socket after this answer: the next request opens another
    }
    return new Answer(status & ~CompactExecute.FRAME_CLOSES, true, body);
  }

  private int int32() throws IOException {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the server closed the connection");
      }
      v = v << 8 | b;
    }
    return v;
  }

  /** Whether the server answered the switch to frames as a server without the compact path does. */
  boolean foreignServer() {
    return foreignServer;
  }

  /** An HTTP answer. */
  private Answer answer() throws IOException {
    return answer(false);
  }

  /** An HTTP answer; {@code switchAnswer}: the answer to the request to switch to frames. */
  private Answer answer(boolean switchAnswer) throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.") || status.length() < 12) {
      throw new IOException("not an HTTP answer: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long contentLength = code == 101 ? 0 : -1;
    boolean chunked = false;
    boolean close = status.startsWith("HTTP/1.0");
    boolean compact = false;
    boolean avatica = false;
    boolean notRun = false;
    String upgrade = null;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      switch (name) {
        case "content-length":
          contentLength = Long.parseLong(value);
          break;
        case "transfer-encoding":
          chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          break;
        case "connection":
          close |= value.equalsIgnoreCase("close");
          break;
        case "upgrade":
          upgrade = value;
          break;
        default:
          if (name.equalsIgnoreCase(CompactExecute.HEADER)) {
            compact = true;
            serverVersion = Math.max(serverVersion, version(value));
          }
          avatica |= name.equalsIgnoreCase(AvaticaFrame.HEADER) && value.equalsIgnoreCase(AvaticaFrame.AVATICA);
          notRun |= name.equalsIgnoreCase(RemoteHttpClient.NOT_RUN);
      }
    }
    byte[] answer;
    if (chunked) {
      answer = chunks();
    } else if (contentLength >= 0) {
      answer = in.readNBytes(Math.toIntExact(contentLength));
      if (answer.length < contentLength) {
        throw new EOFException("the answer ended early");
      }
    } else {
      answer = in.readAllBytes();
      close = true;
    }
    if (close) {
      close();
    }
    framed = code == 101 && CompactExecute.UPGRADE.equalsIgnoreCase(upgrade) && !close;
    avaticaFrames = framed && avatica;
    if (switchAnswer) {
      foreignServer = !compact;
    }
    if (code == 101 && !framed) {
      close(); // switched to a protocol this client does not speak
    }
    return new Answer(code, compact, notRun, answer);
  }

  /** The version a server gives in {@link CompactExecute#HEADER}: 1 if it is not a number. */
  private static int version(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Whether the server closed this idle socket: a read that ends at once
   * rather than finds nothing. Bytes nobody asked for make the socket useless
   * too (nothing was sent on it that they could answer).
   */
  private boolean closedByServer() {
    try {
      if (in.available() > 0) {
        return true;
      }
      socket.configureBlocking(false);
      try {
        return socket.read(ByteBuffer.allocate(1)) != 0;
      } finally {
        socket.configureBlocking(true);
      }
    } catch (IOException e) {
      return true;
    }
  }

  private void open() throws IOException {
    open(true);
  }

  /** Opens the socket, and asks the server to switch it to compact frames if {@code upgrade}. */
  private void open(boolean upgrade) throws IOException {
    SocketChannel s = SocketChannel.open();
    try {
      s.socket().setTcpNoDelay(true);
      s.socket().setKeepAlive(true);
      s.socket().connect(new InetSocketAddress(host, port), connectTimeoutMillis);
      in = new BufferedInputStream(Channels.newInputStream(s), 8192);
      out = Channels.newOutputStream(s);
      socket = s;
      deadline = new ReadDeadline(s, readTimeoutMillis);
      // a channel is not closed when it is no longer reachable: closed, with its deadline, when this is not
      release = CLEANER.register(this, new Release(s, deadline));
      framed = false;
      avaticaFrames = false;
      serverVersion = 0;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    if (upgrade) {
      // Asks for compact frames; a server that says no (or an older one, which answers an error) keeps HTTP.
      out.write(upgradeRequest);
      out.flush();
      read(() -> answer(true));
      if (socket == null) {
        open(false); // it closed the connection after saying no
      }
    }
  }

  private byte[] chunks() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        while (!line().isEmpty()) {
          // trailers
        }
        return b.toByteArray();
      }
      byte[] chunk = in.readNBytes(n);
      if (chunk.length < n) {
        throw new EOFException("the answer ended early");
      }
      b.write(chunk);
      line();
    }
  }

  /** One header line, without its CRLF. */
  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the server closed the connection");
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  @Override public void close() {
    lock.lock();
    try {
      Cleaner.Cleanable r = release;
      socket = null;
      deadline = null;
      release = null;
      in = null;
      out = null;
      if (r != null) {
        r.clean();
      }
    } finally {
      lock.unlock();
    }
  }
}
