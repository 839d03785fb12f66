package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The x86 80-bit extended format numpy's {@code long_double} ({@code f16})
 * uses on Linux, in 16 bytes: a 64-bit mantissa with an explicit integer bit,
 * 15 bits of exponent and a sign, then 6 bytes of padding. Every finite value
 * is a binary fraction, so it has an exact decimal: that is the SQL value.
 * NaN and the infinities have none and read as NULL; NULL writes NaN.
 */
final class LongDouble {
  private static final int BIAS = 16383;
  private static final int MAX_EXP = 0x7FFF;

  private LongDouble() {
  }

  static BigDecimal decode(MemorySegment s, long off, ByteOrder order) {
    byte[] b = new byte[16];
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, b, 0, 16);
    if (order == ByteOrder.BIG_ENDIAN) {
      reverse(b);
    }
    ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long m = le.getLong(0);
    int se = le.getShort(8) & 0xFFFF;
    int e = se & MAX_EXP;
    if (e == MAX_EXP) {
      return null;
    }
    if (m == 0) {
      return BigDecimal.ZERO;
    }
    int shift = Math.max(e, 1) - BIAS - 63;
    BigInteger mant = ElementType.unsigned(m);
    BigDecimal v = shift >= 0 ? new BigDecimal(mant.shiftLeft(shift))
        : new BigDecimal(mant.multiply(BigInteger.valueOf(5).pow(-shift)), -shift).stripTrailingZeros();
    if (v.scale() < 0) {
      v = v.setScale(0);
    }
    return (se & 0x8000) != 0 ? v.negate() : v;
  }

  /** Writes {@code x} rounded to 64 significant bits (half to even); null writes NaN. */
  static void encode(BigDecimal x, ByteBuffer out, int pos, Object given, Dtype d) {
    long m;
    int se;
    if (x == null) {
      if (given != null && given.toString().contains("Infinity")) {
        m = 0x8000_0000_0000_0000L;
        se = MAX_EXP | (given.toString().startsWith("-") ? 0x8000 : 0);
      } else {
        m = 0xC000_0000_0000_0000L;
        se = MAX_EXP;
      }
    } else if (x.signum() == 0) {
      m = 0;
      se = 0;
    } else if (x.precision() - x.scale() > 4934 || x.precision() - x.scale() < -4950) {
      // beyond ±1.2E4932 or below the smallest normal (3.4E-4932), known before building 10^scale
      throw ElementType.outOfRange(given, d, "about ±3.4E-4932 to ±1.2E4932");
    } else {
      BigDecimal a = x.abs();
      BigInteger num = a.scale() <= 0 ? a.unscaledValue().multiply(BigInteger.TEN.pow(-a.scale()))
          : a.unscaledValue();
      BigInteger den = a.scale() <= 0 ? BigInteger.ONE : BigInteger.TEN.pow(a.scale());
      int k = 66 - (num.bitLength() - den.bitLength());
      BigInteger[] qr = k >= 0 ? num.shiftLeft(k).divideAndRemainder(den)
          : num.divideAndRemainder(den.shiftLeft(-k));
      BigInteger q = qr[0];
      int length = q.bitLength();
      int drop = length - 64;
      BigInteger mant = q.shiftRight(drop);
      int cmp = q.subtract(mant.shiftLeft(drop)).compareTo(BigInteger.ONE.shiftLeft(drop - 1));
      if (cmp > 0 || cmp == 0 && (qr[1].signum() != 0 || mant.testBit(0))) {
        mant = mant.add(BigInteger.ONE);
      }
      int exp = length - 1 - k;
      if (mant.bitLength() > 64) {
        mant = mant.shiftRight(1);
        exp++;
      }
      int biased = exp + BIAS;
      if (biased >= MAX_EXP || biased <= 0) {
        throw ElementType.outOfRange(given, d, "about ±3.4E-4932 to ±1.2E4932");
      }
      m = mant.longValue();
      se = biased | (x.signum() < 0 ? 0x8000 : 0);
    }
    byte[] b = new byte[16];
    ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    le.putLong(0, m);
    le.putShort(8, (short) se);
    if (d.order() == ByteOrder.BIG_ENDIAN) {
      reverse(b);
    }
    out.put(pos, b);
  }

  private static void reverse(byte[] b) {
    for (int i = 0, j = b.length - 1; i < j; i++, j--) {
      byte t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
  }
}
