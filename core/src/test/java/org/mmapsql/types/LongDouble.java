package org.mmapsql.types;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * numpy's {@code longdouble} on x86-64 ({@code <f16}): the 80-bit extended
 * format (64-bit mantissa with an explicit integer bit, 15-bit exponent biased
 * by 16383, sign) in the low 10 bytes of 16, the other 6 bytes padding. Exact
 * conversions both ways, for the values the tests use.
 */
final class LongDouble {
  private LongDouble() {
  }

  /** The 16 little-endian bytes of {@code v}, which must be exactly representable. */
  static byte[] bytes(BigDecimal v) {
    byte[] out = new byte[16];
    if (v.signum() == 0) {
      return out;
    }
    BigDecimal a = v.abs();
    BigInteger num = a.scale() > 0 ? a.unscaledValue() : a.unscaledValue().multiply(BigInteger.TEN.pow(-a.scale()));
    BigInteger den = a.scale() > 0 ? BigInteger.TEN.pow(a.scale()) : BigInteger.ONE;
    // m = a * 2^k must be a 64-bit integer with its top bit set
    int k = 63 - (num.bitLength() - den.bitLength());
    BigInteger[] qr = null;
    for (int tries = 0; tries < 4; tries++, k += qr[0].bitLength() < 64 ? 1 : -1) {
      BigInteger n = k >= 0 ? num.shiftLeft(k) : num;
      BigInteger d = k >= 0 ? den : den.shiftLeft(-k);
      qr = n.divideAndRemainder(d);
      if (qr[0].bitLength() == 64) {
        break;
      }
    }
    if (qr[0].bitLength() != 64 || qr[1].signum() != 0) {
      throw new IllegalArgumentException(v + " is not exactly representable in x86 extended precision");
    }
    int biased = 63 - k + 16383;
    if (biased <= 0 || biased >= 0x7FFF) {
      throw new IllegalArgumentException(v + " is out of the normal range of x86 extended precision");
    }
    long m = qr[0].longValue();
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (m >>> (8 * i));
    }
    int se = biased | (v.signum() < 0 ? 0x8000 : 0);
    out[8] = (byte) se;
    out[9] = (byte) (se >>> 8);
    return out;
  }

  /** The exact value of 16 little-endian bytes (finite values only). */
  static BigDecimal value(byte[] le) {
    long m = 0;
    for (int i = 7; i >= 0; i--) {
      m = (m << 8) | (le[i] & 0xFF);
    }
    int se = (le[8] & 0xFF) | ((le[9] & 0xFF) << 8);
    int exp = se & 0x7FFF;
    if (exp == 0x7FFF) {
      throw new IllegalArgumentException("infinity or NaN");
    }
    BigInteger mant = new BigInteger(Long.toUnsignedString(m));
    int p = (exp == 0 ? 1 : exp) - 16383 - 63;
    BigDecimal abs = p >= 0 ? new BigDecimal(mant.shiftLeft(p)) : new BigDecimal(mant.multiply(BigInteger.valueOf(5).pow(-p)), -p);
    return Dtype.canonical((se & 0x8000) != 0 ? abs.negate() : abs);
  }
}
