-- 2-D arrays: a (n, k) C-order array is a table (idx, c0, ..., c{k-1}), one row per array row.
-- embeddings.npy is numpy.save of a float32 array of shape (4, 3).
SELECT MMAP('e', 'embeddings.npy') AS elements;
SELECT * FROM e;
SELECT c1 FROM e WHERE idx = 2;
EXPLAIN PLAN FOR SELECT c1 FROM e WHERE idx = 2;

-- Updates of any column, appends and truncations of whole rows.
UPDATE e SET c2 = c2 * 10 WHERE idx IN (0, 3);
INSERT INTO e(c0, c1, c2) VALUES (9, 9.5, 10);
SELECT * FROM e WHERE idx >= 3;
SELECT SUM(c0) AS s0, MAX(c2) AS m2, COUNT(*) AS n FROM e;
DELETE FROM e WHERE idx >= 4;
SELECT shape FROM sys.mappings WHERE name = 'e';

-- A headerless 2-D file: give the row width.
SELECT MMAP('samples', 'samples.i2', 'int16', 'columns=2') AS elements;
INSERT INTO samples(c0, c1) VALUES (1, -1), (2, -2);
SELECT * FROM samples;
SELECT shape, file_bytes FROM sys.mappings WHERE name = 'samples';

-- VPOP takes a value from a 1-D table; on a 2-D table it is an error.
SELECT VPOP('samples');
