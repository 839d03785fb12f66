"""numpy's side of NumpyInteropTest: `write DIR` writes every dtype 1-D and 2-D, raw
and .npy, and a manifest of the values numpy sees; `check DIR` reads the files
back after mmapsql updated row 0 and appended a copy of row 1."""
import sys, os
import numpy as np

CASES = [  # dtype, five values, SQL literal for the update, the value numpy must then see
    ('i1', [-128, -1, 0, 127, 7], '-5', -5),
    ('>i2', [-32768, -1, 1, 32767, 7], '-5', -5),
    ('<i4', [-2**31, -1, 1, 2**31 - 1, 7], '-5', -5),
    ('i8', [-2**63, -1, 1, 2**63 - 1, 7], '-5', -5),
    ('u1', [0, 1, 128, 255, 7], '200', 200),
    ('u2', [0, 1, 40000, 65535, 7], '60000', 60000),
    ('>u4', [0, 1, 2**31, 2**32 - 1, 7], '4000000000', 4000000000),
    ('u8', [0, 1, 2**63, 2**64 - 1, 7], '18446744073709551615', 2**64 - 1),
    ('f2', [0.5, -2.5, 1000.0, 65504.0, 3.0], '0.25', 0.25),
    ('f4', [0.1, -2.5, 1e30, np.inf, 3.0], '0.25', 0.25),
    ('>f8', [0.1, -2.5, 1e300, -np.inf, 3.0], '0.25', 0.25),
    ('?', [True, False, True, False, True], 'FALSE', False),
    ('S5', [b'a', b'hello', b'', b'xy', b'z'], "'new'", b'new'),
    ('M8[ms]', [0, 1577934245678, 'NaT', -1000, 86400000], "TIMESTAMP '2001-02-03 04:05:06.789'",
     np.datetime64('2001-02-03T04:05:06.789', 'ms')),
    ('>M8[us]', [0, 1577934245678000, 'NaT', -1000000, 86400000000], "TIMESTAMP '2001-02-03 04:05:06.789'",
     np.datetime64('2001-02-03T04:05:06.789', 'us')),
    ('f16', [np.longdouble('0.1'), -2.5, np.longdouble('1e100'), 3.0, np.longdouble(1) / 3], '0.5', 0.5),
]


def array(dtype, values):
    if dtype.lstrip('<>').startswith('M8'):
        return np.array([np.datetime64('NaT') if v == 'NaT' else v for v in values],
                        dtype=dtype.replace('M8', 'datetime64'))
    return np.array(values, dtype=dtype)


def cell(x, dtype):
    d = np.dtype(dtype)
    if d.kind == 'M':
        return 'NaT' if np.isnat(x) else str(np.datetime_as_string(x.astype('M8[ms]'))).replace('T', ' ')
    if d.kind == 'S':
        return x.decode()
    if d.kind == 'b':
        return str(bool(x))
    if d.kind == 'f' and d.itemsize == 16:
        n, m = np.longdouble(x).as_integer_ratio()
        return '%d/%d' % (n, m)
    if d.kind == 'f':
        return repr(float(x))
    return str(int(x))


def files():
    for i, (dtype, values, literal, after) in enumerate(CASES):
        a = array(dtype, values)
        twod = np.stack([a, a[::-1], a], axis=1).astype(a.dtype)  # stack would make it native-endian
        for k, arr in (('1', a), ('2', twod)):
            for fmt in ('raw', 'npy'):
                yield 't%d_%s_%s' % (i, k, fmt), dtype, arr, fmt, literal, after


def write(d):
    with open(os.path.join(d, 'manifest.tsv'), 'w') as m:
        for name, dtype, arr, fmt, literal, after in files():
            path = os.path.join(d, name + ('.npy' if fmt == 'npy' else '.bin'))
            if fmt == 'npy':
                np.save(path, arr)
            else:
                arr.tofile(path)
            rows = arr if arr.ndim == 2 else arr.reshape(-1, 1)
            cells = '|'.join(','.join(cell(x, dtype) for x in row) for row in rows)
            cols = arr.shape[1] if arr.ndim == 2 else 0
            m.write('\t'.join([name, os.path.basename(path), '' if fmt == 'npy' else dtype,
                               ('columns=%d' % cols) if cols and fmt == 'raw' else '', dtype, literal, cells]) + '\n')


def check(d):
    bad = []
    for name, dtype, arr, fmt, literal, after in files():
        if fmt == 'npy':
            got = np.load(os.path.join(d, name + '.npy'), mmap_mode='r')
        else:
            got = np.fromfile(os.path.join(d, name + '.bin'), dtype=dtype.replace('M8', 'datetime64'))
            if arr.ndim == 2:
                got = got.reshape(-1, arr.shape[1])
        want = np.concatenate([arr, arr[1:2]]).astype(arr.dtype)
        want[0] = after if arr.ndim == 1 else want[0]
        if arr.ndim == 2:
            want[0, 0] = after
        same = got.shape == want.shape and got.dtype == want.dtype and all(
            cell(x, dtype) == cell(y, dtype) for x, y in zip(np.ravel(got), np.ravel(want)))
        if not same:
            bad.append('%s: numpy reads %r, expected %r' % (name, got, want))
    print('\n'.join(bad) if bad else 'OK')


if __name__ == '__main__':
    {'write': write, 'check': check}[sys.argv[1]](sys.argv[2])
