-- The tour of mmapsql: the original Redis module's walkthrough, in SQL.
-- A table is a plain file of little-endian doubles; idx is the position.

-- MMAP: bind a table name to a file (created empty if missing); returns its element count.
SELECT MMAP('db', 'walkthrough.mmap') AS elements;

-- VADD: ten appends, one value each.
INSERT INTO db(val) VALUES (0.0);
INSERT INTO db(val) VALUES (0.1);
INSERT INTO db(val) VALUES (0.2);
INSERT INTO db(val) VALUES (0.3);
INSERT INTO db(val) VALUES (0.4);
INSERT INTO db(val) VALUES (0.5);
INSERT INTO db(val) VALUES (0.6);
INSERT INTO db(val) VALUES (0.7);
INSERT INTO db(val) VALUES (0.8);
INSERT INTO db(val) VALUES (0.9);

-- VCOUNT: constant time, read from the file's length.
SELECT COUNT(*) AS n FROM db;

-- VADD with several values: one statement, one write.
INSERT INTO db(val) VALUES (1.0), (1.1), (1.2), (1.3), (1.4), (1.5);

-- VGET: one value by position; positional access, not a scan.
SELECT val FROM db WHERE idx = 5;
EXPLAIN PLAN FOR SELECT val FROM db WHERE idx = 5;

-- VMGET: several positions at once.
SELECT idx, val FROM db WHERE idx IN (1, 3, 5);

-- VSET: set two values in one statement.
UPDATE db SET val = CASE idx WHEN 2 THEN 20.0 WHEN 3 THEN 30.0 END WHERE idx IN (2, 3);
SELECT idx, val FROM db WHERE idx BETWEEN 1 AND 4;
SELECT COUNT(*) AS n FROM db;

-- VPOP: remove the last value and return it.
SELECT VPOP('db') AS popped;

-- Bindings survive a restart: reconnect and list them.
!reconnect
SELECT name, path, type, row_count, file_bytes, status FROM sys.mappings;

-- DEL: unbind (the file stays), then bind the same file under another name.
SELECT UNMAP('db') AS unmapped;
SELECT MMAP('arr', 'walkthrough.mmap') AS elements;
SELECT SUM(val) AS total, MIN(val) AS lo, MAX(val) AS hi FROM arr;

-- VCLEAR: remove every row; the file is truncated to 0 bytes.
DELETE FROM arr;
SELECT COUNT(*) AS n FROM arr;

-- A file written by another program: numpy.arange(100, dtype='<f8').tofile('hundred.f8').
SELECT MMAP('hundred', 'hundred.f8') AS elements;
SELECT SUM(val) AS total, AVG(val) AS mean FROM hundred;
SELECT idx, val FROM hundred WHERE idx >= 97 ORDER BY idx;
