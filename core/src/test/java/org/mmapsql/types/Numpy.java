package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Real numpy in a python3 process: a writer that saves arrays of every type
 * (np.save and tofile, 1-D and 2-D) and prints their values, and a checker
 * that loads files as numpy users do ({@code np.load(mmap_mode='r')},
 * {@code np.fromfile}) and asserts their dtype, shape and bytes. Values travel
 * as text tokens, one per element: integers in decimal, floats as Python's
 * repr ({@code nan}, {@code inf}), long doubles as {@code p/q}, booleans as
 * 1/0, strings as themselves (ASCII, no spaces), datetimes as their int64
 * count or {@code NaT}.
 */
final class Numpy {
  private Numpy() {
  }

  /** Skips the calling test, with the reason, where python3 cannot import numpy. */
  static void assumeAvailable() {
    String out;
    int rc;
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy; print(numpy.__version__)")
          .redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      rc = p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException | InterruptedException e) {
      out = e.toString();
      rc = -1;
    }
    Assumptions.assumeTrue(rc == 0, "skipped: python3 with numpy is not available here (" + out + ")");
  }

  /** Runs a python script with arguments; fails the test with its output unless it exits 0. */
  static String run(Path workDir, String script, String... args) throws IOException, InterruptedException {
    Path file = workDir.resolve("script-" + System.nanoTime() + ".py");
    Files.writeString(file, script);
    List<String> cmd = new ArrayList<>(List.of("python3", file.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python did not finish");
    assertEquals(0, p.exitValue(), () -> "numpy disagrees (python exit " + p.exitValue() + "):\n" + out);
    return out;
  }

  static final String COMMON = """
      import sys, io
      import numpy as np

      def tok(x, dt):
          k = dt.kind
          if k in 'iu':
              return str(int(x))
          if k == 'f' and dt.itemsize == 16:
              p, q = np.longdouble(x).as_integer_ratio()
              return '%d/%d' % (p, q)
          if k == 'f':
              return repr(float(x))
          if k == 'b':
              return '1' if x else '0'
          if k == 'S':
              return bytes(x).decode('ascii')
          if k == 'M':
              return 'NaT' if np.isnat(x) else str(int(np.array(x).view('i8')))
          raise ValueError(dt)

      def parse(toks, dt):
          k = dt.kind
          if k in 'iu':
              return np.array([int(t) for t in toks], dtype=dt)
          if k == 'f' and dt.itemsize == 16:
              return np.array([np.longdouble(t.split('/')[0]) / np.longdouble(t.split('/')[1]) for t in toks], dtype=dt)
          if k == 'f':
              return np.array([float(t) for t in toks], dtype=dt)
          if k == 'b':
              return np.array([t == '1' for t in toks], dtype=dt)
          if k == 'S':
              return np.array([t.encode('ascii') for t in toks], dtype=dt)
          if k == 'M':
              ints = np.array([-2**63 if t == 'NaT' else int(t) for t in toks], dtype='i8')
              return ints.astype(np.dtype('i8').newbyteorder(dt.byteorder)).view(dt)
          raise ValueError(dt)
      """;

  /**
   * argv: dir, then pairs descr stem; for each writes STEM.npy, STEM.raw,
   * STEM_2d.npy, STEM_2d.raw (12 values, 2-D as 4x3) and prints a line
   * {@code STEM TOKENS...}.
   */
  static final String WRITER = COMMON + """

      def values(dt):
          k = dt.kind
          if k in 'iu':
              i = np.iinfo(dt)
              v = [i.min, i.max, 0, 1, i.max // 3, (i.min // 7) if i.min else 5, 42, i.max - 1, 17, 3, 100, 7]
          elif k == 'f' and dt.itemsize == 16:
              one = np.longdouble(1)
              v = [one / 3, np.longdouble('9223372036854775809'), -one / 1024, np.longdouble('1e20'), np.longdouble(0),
                   np.longdouble('-2.5'), one / 10, np.longdouble('12345678901234567.25'), one * 7, -one / 3, one, one * 2**70]
          elif k == 'f':
              f = np.finfo(dt)
              v = [0.1, -2.5, f.max, -f.max, f.tiny, np.nan, np.inf, -np.inf, 0.0, -0.0, 1 / 3, 1e-3]
          elif k == 'b':
              v = [True, False, True, True, False, False, True, False, True, False, False, True]
          elif k == 'S':
              v = [b'abc', b'hello', b'x', b'Z9z9', b'0', b'q' * dt.itemsize, b'ab', b'xyz', b'k', b'mm', b'Hi', b'end']
          elif k == 'M':
              unit = np.datetime_data(dt)[0]
              frac = '' if unit == 's' else '.123'
              v = np.array(['1970-01-01T00:00:00', 'NaT', '2021-03-04T05:06:07' + frac, '1901-01-01T00:00:00',
                            '2199-12-31T23:59:59', '1969-12-31T23:59:59', '2000-02-29T12:00:00' + frac,
                            '1999-12-31T23:59:59', '1900-01-01T00:00:00', '2262-01-01T00:00:00', 'NaT',
                            '2024-06-30T00:00:01' + frac], dtype='M8[ms]').astype(dt)
          return np.array(v, dtype=dt)

      d = sys.argv[1]
      for descr, stem in zip(sys.argv[2::2], sys.argv[3::2]):
          dt = np.dtype(descr)
          a = values(dt)
          assert a.shape == (12,) and a.dtype == dt
          np.save(d + '/' + stem + '.npy', a)
          a.tofile(d + '/' + stem + '.raw')
          np.save(d + '/' + stem + '_2d.npy', a.reshape(4, 3))
          a.reshape(4, 3).tofile(d + '/' + stem + '_2d.raw')
          print(stem + ' ' + ' '.join(tok(x, dt) for x in a))
      """;

  /**
   * argv: a file of lines {@code PATH DESCR NDIM STRICT TOKENS...}; loads each
   * PATH as numpy would, compares dtype, shape and bytes with the tokens
   * (2-D: rows of 3) and, when STRICT is 1, the .npy header with what
   * np.save writes (byte for byte). Prints one line per file; exits 1 on any mismatch.
   */
  static final String CHECKER = COMMON + """

      def body(a):
          # long doubles: only the 10 bytes of the x87 value count (numpy leaves the 6 padding bytes undefined)
          if a.dtype.kind == 'f' and a.dtype.itemsize == 16:
              b = np.frombuffer(np.ascontiguousarray(a).tobytes(), dtype='u1').reshape(-1, 16)
              return (b[:, 6:] if a.dtype.byteorder == '>' else b[:, :10]).tobytes()
          return np.ascontiguousarray(a).tobytes()

      ok = True
      for line in open(sys.argv[1]):
          parts = line.rstrip('\\n').split(' ')
          path, dt, ndim, strict, toks = parts[0], np.dtype(parts[1]), int(parts[2]), parts[3] == '1', parts[4:]
          e = parse(toks, dt)
          if ndim == 2:
              e = e.reshape(-1, 3)
          if path.endswith('.npy'):
              a = np.load(path, mmap_mode='r') if len(toks) else np.load(path)
          else:
              a = np.fromfile(path, dtype=dt)
              if ndim == 2:
                  a = a.reshape(-1, 3)
          same = a.dtype == dt and a.shape == e.shape and body(a) == body(e)
          if same and strict:
              b = io.BytesIO()
              np.save(b, e)
              saved, raw = b.getvalue(), open(path, 'rb').read()
              same = saved[:len(saved) - e.nbytes] == raw[:len(raw) - a.nbytes]
              if not same:
                  print('NOT WHAT np.save WRITES: ' + path + ' ' + repr(open(path, 'rb').read()[:128]) + ' vs ' + repr(b.getvalue()[:128]))
          if same:
              print('OK ' + path)
              continue
          print('MISMATCH ' + path + ' dtype=' + a.dtype.str + ' shape=' + str(a.shape)
                + ' values=' + ' '.join(tok(x, a.dtype) for x in a.ravel()) + ' expected ' + e.dtype.str + ' '
                + str(e.shape) + ' ' + ' '.join(toks))
          ok = ok and same
      sys.exit(0 if ok else 1)
      """;

  // ------------------------------------------------------------ tokens

  static Object parse(Dtype t, String tok) {
    return switch (t.kind()) {
      case INT, UINT -> new BigInteger(tok);
      case FLOAT -> {
        double d = switch (tok) {
          case "nan" -> Double.NaN;
          case "inf" -> Double.POSITIVE_INFINITY;
          case "-inf" -> Double.NEGATIVE_INFINITY;
          default -> Double.parseDouble(tok);
        };
        yield t.size() == 8 ? (Object) d : (Object) (float) d;
      }
      case LONGDOUBLE -> {
        String[] pq = tok.split("/");
        yield Dtype.canonical(new BigDecimal(pq[0]).divide(new BigDecimal(pq[1])));
      }
      case BOOL -> tok.equals("1");
      case STRING -> t.pad(tok);
      case DATETIME -> tok.equals("NaT") ? null : t.time(Long.parseLong(tok));
    };
  }

  static String token(Dtype t, Object v) {
    return switch (t.kind()) {
      case INT, UINT -> v.toString();
      case FLOAT -> {
        double d = ((Number) v).doubleValue();
        yield Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf")
            : d == 0 ? (1 / d < 0 ? "-0.0" : "0.0") : new BigDecimal(d).toString();
      }
      case LONGDOUBLE -> {
        BigDecimal x = (BigDecimal) v;
        if (x.scale() <= 0) {
          yield x.toBigIntegerExact() + "/1";
        }
        // a dyadic rational u / 10^s is (u / 5^s) / 2^s
        BigInteger[] qr = x.unscaledValue().divideAndRemainder(BigInteger.valueOf(5).pow(x.scale()));
        if (qr[1].signum() != 0) {
          throw new IllegalArgumentException("not a binary fraction: " + x);
        }
        yield qr[0] + "/" + BigInteger.ONE.shiftLeft(x.scale());
      }
      case BOOL -> ((Boolean) v) ? "1" : "0";
      case STRING -> ((String) v).stripTrailing();
      case DATETIME -> v == null ? "NaT" : Long.toString(t.count((java.time.LocalDateTime) v));
    };
  }

  static List<Object> parseAll(Dtype t, String line) {
    List<Object> out = new ArrayList<>();
    for (String tok : line.trim().split(" ")) {
      out.add(parse(t, tok));
    }
    return out;
  }

  /** One line of the checker's input. */
  static String check(Path file, Dtype t, int ndim, boolean strict, List<Object> values) {
    StringBuilder b = new StringBuilder(file.toString()).append(' ').append(t.descr()).append(' ').append(ndim)
        .append(' ').append(strict ? 1 : 0);
    for (Object v : values) {
      b.append(' ').append(token(t, v));
    }
    return b.append('\n').toString();
  }
}
