-- numpy's .npy files: the header says the dtype and shape; the data is mapped in place.
-- temps.npy was written by numpy.save(np.array([21.5, 22.0, 19.75], dtype='>f8')).
-- A type that contradicts the header is an error; without a type, the header's is used.
SELECT MMAP('temps', 'temps.npy', 'int32') AS elements;
SELECT MMAP('temps', 'temps.npy') AS elements;
SELECT idx, val FROM temps;

-- Appends and truncations rewrite the shape in the header, so numpy.load sees the new length.
INSERT INTO temps(val) VALUES (18.5);
SELECT type, shape, data_offset, row_count, file_bytes FROM sys.mappings WHERE name = 'temps';
DELETE FROM temps WHERE idx >= 2;
SELECT type, shape, row_count FROM sys.mappings WHERE name = 'temps';

-- A new .npy file gets a header numpy reads (with room for the shape to grow).
SELECT MMAP('counts', 'counts.npy', 'uint16') AS elements;
INSERT INTO counts(val) VALUES (1), (65535);
SELECT idx, val FROM counts;
SELECT type, sql_type, shape, data_offset FROM sys.mappings WHERE name = 'counts';
