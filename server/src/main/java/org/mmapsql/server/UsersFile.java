package org.mmapsql.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users file: one user a line, {@code name:role:pbkdf2-sha512:iterations:salt:hash}
 * (salt and hash in base64), role {@code readwrite} or {@code readonly}; lines
 * starting with {@code #} and blank lines are ignored. Passwords are never
 * stored, only their salted PBKDF2-HMAC-SHA512 hash. {@code bin/mmapsql passwd}
 * writes it.
 *
 * <p>As the server's authenticator it re-reads the file when it changes (checked
 * at most every two seconds), so users can be added or removed without a
 * restart. HTTP BASIC sends the password with every request: a successful check
 * is remembered for a few minutes (keyed by an HMAC with a per-process secret,
 * never by the password) so that only the first request of a client pays for
 * PBKDF2.
 */
public final class UsersFile {
  private static final Logger LOG = LoggerFactory.getLogger(UsersFile.class);
  static final String SCHEME = "pbkdf2-sha512";
  /** OWASP's recommendation for PBKDF2-HMAC-SHA512. */
  public static final int DEFAULT_ITERATIONS = 210_000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  private static final long RECHECK_NANOS = 2_000_000_000L;
  private static final long CACHE_MILLIS = 5 * 60_000L;
  private static final int CACHE_MAX = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One user of the file. */
  public record Entry(String name, User.Role role, int iterations, byte[] salt, byte[] hash) {
    String line() {
      Base64.Encoder b64 = Base64.getEncoder();
      return name + ":" + role.word() + ":" + SCHEME + ":" + iterations + ":"
          + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    boolean matches(char[] password) {
      return MessageDigest.isEqual(hash, pbkdf2(password, salt, iterations, hash.length));
    }
  }

  private record Verified(User user, long until) {
  }

  private final Path file;
  private final Semaphore hashing = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();
  private final Mac cacheKey;
  private final Entry dummy;
  private volatile Map<String, Entry> users;
  private volatile Object version;
  private volatile long checkedAt;

  /** Reads the users file; fails if it cannot be read or has no users. */
  public UsersFile(Path file) throws IOException {
    this.file = file;
    this.users = read(file);
    this.version = version(file);
    this.checkedAt = System.nanoTime();
    if (users.isEmpty()) {
      throw new IOException("the users file " + file + " has no users: add one with"
          + " bin/mmapsql passwd --users-file " + file + " NAME");
    }
    try {
      byte[] secret = new byte[32];
      RANDOM.nextBytes(secret);
      cacheKey = Mac.getInstance("HmacSHA256");
      cacheKey.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    dummy = create("dummy", User.Role.READONLY, "dummy".toCharArray(), DEFAULT_ITERATIONS);
  }

  public Path file() {
    return file;
  }

  /** How many users the file has now. */
  public int size() {
    return users.size();
  }

  /** The user with this name and password, or null if there is none. */
  public User authenticate(String name, char[] password) {
    reloadIfChanged();
    if (password.length == 0) {
      return null; // never set by passwd, and PBKDF2 refuses it
    }
    String key = cacheKey(name, password);
    Verified v = verified.get(key);
    long now = System.currentTimeMillis();
    if (v != null && v.until() > now) {
      return v.user();
    }
    Entry e = users.get(name);
    boolean ok;
    hashing.acquireUninterruptibly();
    try {
      // Hash even for an unknown name, so that timing does not tell which names exist.
      ok = (e != null ? e : dummy).matches(password) && e != null;
    } finally {
      hashing.release();
    }
    if (!ok) {
      return null;
    }
    User user = new User(e.name(), e.role());
    if (verified.size() >= CACHE_MAX) {
      verified.clear();
    }
    verified.put(key, new Verified(user, now + CACHE_MILLIS));
    return user;
  }

  private String cacheKey(String name, char[] password) {
    byte[] bytes = (name + '\0' + new String(password)).getBytes(StandardCharsets.UTF_8);
    synchronized (cacheKey) {
      return Base64.getEncoder().encodeToString(cacheKey.doFinal(bytes));
    }
  }

  private void reloadIfChanged() {
    long now = System.nanoTime();
    if (now - checkedAt < RECHECK_NANOS) {
      return;
    }
    synchronized (this) {
      if (now - checkedAt < RECHECK_NANOS) {
        return;
      }
      checkedAt = now;
      Object v = version(file);
      if (v.equals(version)) {
        return;
      }
      try {
        users = read(file);
        version = v;
        verified.clear();
        LOG.info("reloaded the users file {}: {} users", file, users.size());
      } catch (IOException | RuntimeException e) {
        LOG.error("cannot reload the users file {}, keeping the users read before: {}", file, e.getMessage());
      }
    }
  }

  private static Object version(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    } catch (IOException e) {
      return List.of("missing");
    }
  }

  // ------------------------------------------------ reading and writing the file

  /** The entries of a users file by name, in file order; an absent file has none. */
  public static Map<String, Entry> read(Path file) throws IOException {
    Map<String, Entry> map = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return map;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        Entry e = parse(line);
        if (map.put(e.name(), e) != null) {
          throw new IllegalArgumentException("user " + e.name() + " appears twice");
        }
      } catch (IllegalArgumentException e) {
        throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return map;
  }

  static Entry parse(String line) {
    String[] f = line.split(":", -1);
    if (f.length != 6) {
      throw new IllegalArgumentException("expected name:role:" + SCHEME + ":iterations:salt:hash");
    }
    checkName(f[0]);
    if (!SCHEME.equals(f[2])) {
      throw new IllegalArgumentException("unknown password scheme '" + f[2] + "' (expected " + SCHEME + ")");
    }
    int iterations;
    try {
      iterations = Integer.parseInt(f[3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("iterations must be a number, not '" + f[3] + "'");
    }
    if (iterations < 1000) {
      throw new IllegalArgumentException("iterations must be at least 1000");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    try {
      return new Entry(f[0], User.Role.of(f[1]), iterations, b64.decode(f[4]), b64.decode(f[5]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid user name '" + name
          + "': use 1 to 64 letters, digits and . _ @ -");
    }
  }

  /** A new entry for {@code name} with a fresh random salt. */
  public static Entry create(String name, User.Role role, char[] password, int iterations) {
    checkName(name);
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return new Entry(name, role, iterations, salt, pbkdf2(password, salt, iterations, 64));
  }

  /** Writes the users file atomically, readable by its owner only where the file system allows. */
  public static void write(Path file, Collection<Entry> entries) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# mmapsql users: name:role:" + SCHEME + ":iterations:salt:hash (edit with bin/mmapsql passwd)");
    for (Entry e : entries) {
      lines.add(e.line());
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".users", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bytes) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } finally {
      spec.clearPassword();
    }
  }
}
