-- Typed arrays: a file of any numpy fixed-width dtype, in either byte order.
-- readings.i2 holds four little-endian int16 values, as numpy's tofile writes them.
SELECT MMAP('r', 'readings.i2', 'int16') AS elements;
SELECT idx, val FROM r;

-- A value that does not fit the type is refused, naming the value and the type; nothing is written.
INSERT INTO r(val) VALUES (40000);
UPDATE r SET val = 1.5 WHERE idx = 0;
SELECT COUNT(*) AS n FROM r;

-- Sums of integers are exact and averages are not truncated.
SELECT SUM(val) AS total, AVG(val) AS mean, MIN(val) AS lo, MAX(val) AS hi FROM r;

-- Unsigned 64-bit integers use their whole range, as DECIMAL(20, 0).
SELECT MMAP('big', 'big.u8', 'uint64') AS elements;
INSERT INTO big(val) VALUES (18446744073709551615), (18446744073709551615);
SELECT SUM(val) AS total FROM big;
INSERT INTO big(val) VALUES (-1);

-- Big-endian float32, fixed-width strings and timestamps (numpy datetime64; NaT is NULL).
SELECT MMAP('f', 'f.f4', '>f4') AS elements;
INSERT INTO f(val) VALUES (0.5), (CAST('NaN' AS REAL));
SELECT idx, val FROM f;
SELECT MMAP('names', 'names.s8', 'S8') AS elements;
INSERT INTO names(val) VALUES ('alpha'), ('beta');
SELECT idx, val FROM names;
INSERT INTO names(val) VALUES ('much too long');
SELECT MMAP('ts', 'ts.m8', 'datetime64[ms]') AS elements;
INSERT INTO ts(val) VALUES (TIMESTAMP '2024-05-06 07:08:09.123'), (NULL);
SELECT idx, val FROM ts;

-- A read-only binding: opened and mapped read-only, every write refused.
SELECT UNMAP('r') AS unmapped;
SELECT MMAP('r', 'readings.i2', 'i2', 'readonly') AS elements;
DELETE FROM r;

-- What each binding holds.
SELECT name, type, sql_type, element_size, shape, read_only, row_count FROM sys.mappings;
