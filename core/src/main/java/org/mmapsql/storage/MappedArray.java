package org.mmapsql.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * One file of fixed-width rows, mapped into memory: a headerless file or a
 * {@code .npy} file, as its {@link Layout} says.
 *
 * <p>The file is opened once, as a descriptor that names its inode for good;
 * the mapping and the channel for writes are both made from it, never from the
 * path again. Reads go through a read-only shared mapping that reaches past the
 * end of file (see {@link NativeMap}); appends and truncations go through the
 * channel, so a full disk is an {@link IOException}, never a fault; writes in
 * place (UPDATE) go through a short writable mapping of the rows, which can
 * never make the file longer than another program left it. Every write is in
 * the page cache, visible to the mapping and to other processes, when it
 * returns. A read-only binding opens no channel for writing and refuses every write.
 *
 * <p>Roles: the {@link Layout} says what the bytes mean, the {@link Mapping}
 * holds the mapped region, {@link Durability} counts what is not yet forced,
 * {@link NpyHeader} rewrites a .npy file's shape; this class opens the file,
 * notices what other programs did to it ({@link #refresh}) and writes.
 *
 * <p>Locking: {@link #writeLock} makes each write statement exclusive on this
 * array; the monitor of this object guards the size, so that a reader's
 * {@link #refresh()} cannot undo a concurrent append, and is never held
 * through the file I/O of a write (a COUNT(*) does not wait behind a large
 * INSERT); the mapping's lock is held for reading while a reader copies a
 * block and for writing while the file shrinks or the mapping is replaced, so
 * no reader ever touches bytes that are being cut off; {@link #applyLock} is
 * held for writing while an UPDATE's rows are written and for reading through
 * a whole aggregate ({@link #consistent}), which so sees all of an UPDATE or
 * truncation or none of it. A scan takes no lock a writer waits for: it
 * reads through a {@link Snapshot}, to which the {@link UndoLog} puts back the
 * rows changed since it started. Order: writeLock, then applyLock, then the monitor, then the
 * mapping's lock; the channel's own lock is innermost. Writers take the append
 * position and the bound of an update from the file itself, never from a
 * cached size; appends to a headerless file go through O_APPEND, so the kernel
 * puts them after whatever another program appended.
 */
public final class MappedArray implements AutoCloseable {
  /** Appends go out in buffers of at most this many bytes. */
  private static final int WRITE_BUFFER = 1 << 20;
  /** A multiple of every page size (4, 16 and 64 KiB): where a writable window may start. */
  private static final long MAP_ALIGN = 64 << 10;

  private final Path file;
  private final boolean readOnly;
  private final int fd;
  /** The file opened read-write once, at bind (so a later chmod does not stop UPDATEs); -1 if read-only. */
  private final int writeFd;
  /** See {@link #writable}; guarded by the statement's write lock. */
  private Arena writeArena;
  private MemorySegment writeWindow;
  private final Path self;
  private final Object fileKey;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantReadWriteLock applyLock = new ReentrantReadWriteLock();
  private final Object channelLock = new Object();
  private final Durability durability = new Durability();
  /** While an append writes: the file size before it, which readers keep seeing until it is done. */
  private volatile long appendingFrom = -1;

  private Layout layout;
  /** The .npy header as last read or written, null for a headerless file. */
  private NpyHeader header;
  private FileChannel channel;
  private final Mapping mapping;
  private final UndoLog undo;
  /** Size of the file in bytes as last seen. */
  private volatile long fileBytes;
  /** Rows as last seen: whole rows of data, and for a .npy file at most what its header says. */
  private volatile long rows;
  private volatile boolean closed;

  private MappedArray(Path file, Layout raw, boolean readOnly, int fd) throws IOException {
    this.file = file;
    this.readOnly = readOnly;
    this.fd = fd;
    this.self = Path.of("/proc/self/fd/" + fd);
    BasicFileAttributes attrs = Files.readAttributes(self, BasicFileAttributes.class);
    if (!attrs.isRegularFile()) {
      throw new MmapException(SqlState.IO_ERROR, file + " is not a regular file");
    }
    this.fileKey = attrs.fileKey();
    this.channel = openChannel();
    long size = channel.size();
    if (raw == null) {
      this.header = readHeader(size);
      this.layout = Layout.of(header, file.toString());
      size = cutUncounted(size);
    } else {
      this.layout = raw;
    }
    this.mapping = new Mapping(fd, file, size);
    this.undo = new UndoLog(layout, file.toString());
    setSize(size);
    this.writeFd = readOnly ? -1 : NativeMap.openForWrite(self); // last: nothing after it can fail
  }

  private FileChannel openChannel() throws IOException {
    return readOnly ? FileChannel.open(self, StandardOpenOption.READ)
        : FileChannel.open(self, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /**
   * Opens (and maps) an existing regular file; a symbolic link as last component is refused.
   * {@code raw} is the layout of a headerless file, null for a .npy file (its header says).
   */
  public static MappedArray open(Path file, Layout raw, boolean readOnly) throws IOException {
    int fd = NativeMap.open(file);
    try {
      return new MappedArray(file, raw, readOnly, fd);
    } catch (IOException | RuntimeException e) {
      NativeMap.close(fd);
      throw e;
    }
  }

  /** Writes the header of an empty .npy file of {@code layout} into the new, empty {@code file}. */
  public static void createNpy(Path file, Layout layout) throws IOException {
    byte[] h = NpyHeader.write(layout.descrText(), layout.npyShape(0));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(h);
      while (b.hasRemaining()) {
        ch.write(b, b.position());
      }
      ch.force(true);
    }
  }

  /**
   * A .npy file with data past its header's shape is what an append leaves
   * when the process dies between its data and its header (numpy never
   * writes one): the rows were never acknowledged, so a writable binding cuts
   * them off as it opens the file, and the header agrees with the length again.
   */
  private long cutUncounted(long size) throws IOException {
    long counted = layout.dataOffset() + header.shape()[0] * layout.stride();
    if (readOnly || size <= counted) {
      return size;
    }
    channel.truncate(counted);
    channel.force(true);
    return counted;
  }

  private NpyHeader readHeader(long size) throws IOException {
    byte[] first = new byte[(int) Math.min(size, 4096)];
    readFully(first, 0);
    int offset = NpyHeader.dataOffset(first);
    if (offset > first.length && offset <= size && offset < (16 << 20)) {
      first = new byte[offset];
      readFully(first, 0);
    }
    return NpyHeader.parse(first, file.toString());
  }

  private void readFully(byte[] into, long position) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into);
    while (b.hasRemaining()) {
      if (channel.read(b, position + b.position()) < 0) {
        break;
      }
    }
  }

  /** Takes a file size as the current one: the rows follow from it (and from the header). */
  private void setSize(long size) {
    fileBytes = size;
    long whole = Math.max(0, size - layout.dataOffset()) / layout.stride();
    rows = header == null ? whole : Math.min(whole, header.shape()[0]);
  }


  public Path file() {
    return file;
  }

  /** Where the open file really is, as the kernel resolved it: for checking it against a policy. */
  public Path openedPath() throws IOException {
    return Files.readSymbolicLink(self);
  }

  public Layout layout() {
    return layout;
  }

  public boolean readOnly() {
    return readOnly;
  }

  /** Number of whole rows. */
  public long length() {
    return rows;
  }

  /** Bytes past the last whole row (data beyond a .npy header's shape included), 0 for a sound file. */
  public long tailBytes() {
    return Math.max(0, fileBytes - layout.dataOffset()) - rows * layout.stride();
  }

  public long fileBytes() {
    return fileBytes;
  }

  /**
   * Re-reads the file's size so that a statement sees what other processes did:
   * a longer or shorter file shows its new length. A deleted file is an error;
   * a path that now names another file is a {@link FileReplacedException}.
   * Called at the start of each statement, and by writers under the write lock.
   */
  public synchronized long refresh() {
    checkOpen();
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new MmapException(SqlState.IO_ERROR, "file " + file + " is gone (deleted by another program?)");
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
    }
    if (!Objects.equals(attrs.fileKey(), fileKey)) {
      throw new FileReplacedException("file " + file + " was replaced by another file");
    }
    long size = appendingFrom < 0 ? attrs.size() : Math.min(attrs.size(), appendingFrom);
    if (size != fileBytes) {
      adopt(size);
    }
    return length();
  }

  /** Takes a new file size, growing the mapping if it no longer reaches the end; re-reads a .npy header. */
  private void adopt(long size) {
    if (header != null) {
      try {
        NpyHeader h = readHeader(size);
        if (!Layout.of(h, file.toString()).sameRows(layout)) {
          throw new MmapException(SqlState.DATA_EXCEPTION, "the header of " + file
              + " now describes other rows (" + h.descr() + ", shape " + NpyHeader.shapeText(h.shape())
              + "); UNMAP and MMAP it again");
        }
        header = h;
      } catch (IOException e) {
        throw new MmapException(SqlState.IO_ERROR, "cannot read the header of " + file + ": " + e.getMessage(), e);
      }
    }
    mapping.reach(size);
    setSize(size);
  }

  // ---------------------------------------------------------------- reads

  /** A block reader: copies {@code n} rows from {@code row} out of the mapping. */
  private interface Copy {
    void run(MemorySegment segment, long row, int n);
  }

  /**
   * Copies up to {@code count} rows starting at {@code row}; returns how many
   * were copied, fewer when the array is now shorter. Never more than the file
   * really holds after the copy: a file another program cut (even inside the
   * last page, where the mapping would show zeros) yields only its real rows.
   */
  private int read(long row, int count, Copy copy) {
    try {
      return mapping.read(segment -> {
        checkOpen();
        long n = Math.min(count, length() - row);
        if (n <= 0) {
          return 0;
        }
        copy.run(segment, row, (int) n);
        long realRows = Math.max(0, realSize() - layout.dataOffset()) / layout.stride();
        return (int) Math.max(0, Math.min(n, realRows - row));
      });
    } catch (InternalError e) {
      throw fault(e);
    }
  }

  /** The file's size as the kernel has it now (the size as last seen if that cannot be asked). */
  private long realSize() {
    long size = NativeMap.size(fd);
    return size < 0 ? fileBytes : size;
  }

  /** Reads rows into {@code out[column][i]} as SQL values; returns how many. */
  public int read(long row, int count, Object[][] out) {
    return read(row, count, (s, r, n) -> layout.read(s, r, n, out));
  }

  /** Copies rows as they lie in the file, {@code stride} bytes each, into {@code out} from 0; returns how many. */
  public int readBytes(long row, int count, byte[] out) {
    return read(row, count, (s, r, n) -> MemorySegment.copy(s, ValueLayout.JAVA_BYTE,
        layout.dataOffset() + r * layout.stride(), out, 0, n * layout.stride()));
  }

  /**
   * A view for one scan: reads see every UPDATE and truncation of this process
   * that began after it opened as not yet done (see {@link UndoLog}), at the
   * cost of one volatile read a block. Close it when the scan ends.
   */
  public Snapshot snapshot() {
    return new Snapshot(undo.open());
  }

  /** Block reads as of when a scan started; see {@link #snapshot()}. */
  public final class Snapshot implements AutoCloseable {
    private final UndoLog.Snapshot view;

    private Snapshot(UndoLog.Snapshot view) {
      this.view = view;
    }

    /** Reads rows into {@code out[column][i]} as SQL values, as of the scan's start; returns how many. */
    public int read(long row, int count, Object[][] out) {
      int n = MappedArray.this.read(row, count, out);
      return n == 0 ? 0 : view.settle(row, n, out);
    }

    /** Copies rows raw into {@code out} ({@link #readBytes}), as of the scan's start; returns how many. */
    public int readBytes(long row, int count, byte[] out) {
      int n = MappedArray.this.readBytes(row, count, out);
      return n == 0 ? 0 : view.settle(row, n, out);
    }

    @Override public void close() {
      view.close();
    }
  }

  /** Scan snapshots open on this array now; visible for tests. */
  public int openSnapshots() {
    return undo.openSnapshots();
  }

  /** UPDATEs and truncations whose old rows are kept for open scans now; visible for tests. */
  public int keptChanges() {
    return undo.keptChanges();
  }

  /** Reads one column of rows as doubles (float dtypes); returns how many. */
  public int readDoubles(long row, int count, int column, double[] out) {
    return read(row, count, (s, r, n) -> layout.doubles(s, r, n, column, out));
  }

  /**
   * Aggregates up to {@code count} rows of one column from {@code row} where
   * they lie, with no copy (see {@link RunStats}), keeping the values in
   * {@code range}; returns how many rows it read, fewer when the array is now
   * shorter (a run another program cut meanwhile is read again up to the cut).
   */
  public int stats(long row, int count, int column, ValueRange range, RunStats out) {
    int want = count;
    while (true) {
      int[] seen = new int[1];
      int wanted = want;
      int real = read(row, wanted, (s, r, n) -> {
        seen[0] = n;
        out.compute(s, layout, r, n, column, range);
      });
      if (real >= seen[0]) {
        if (seen[0] == 0) {
          out.clear();
        }
        return seen[0];
      }
      want = real;
    }
  }

  /** The bytes of the rows at {@code indexes}, which must be below {@link #length()}. */
  public byte[] images(long[] indexes) {
    int stride = layout.stride();
    byte[] out = new byte[indexes.length * stride];
    try {
      return mapping.read(segment -> {
        checkOpen();
        for (int i = 0; i < indexes.length; i++) {
          if (indexes[i] < 0 || indexes[i] >= length()) {
            throw new MmapException("index " + indexes[i] + " out of range [0, " + length() + ")");
          }
          MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, layout.dataOffset() + indexes[i] * stride,
              out, i * stride, stride);
        }
        return out;
      });
    } catch (InternalError e) {
      throw fault(e);
    }
  }

  /**
   * A read faulted: on JDK 25 touching a mapped page past the end of a file
   * that another process truncated raises {@link InternalError}. Re-check the
   * file and report it as an ordinary error.
   */
  private MmapException fault(InternalError e) {
    long size;
    try {
      size = Files.size(self);
    } catch (IOException io) {
      return new MmapException(SqlState.IO_ERROR, "file " + file + " is gone (deleted while being read)", e);
    }
    return new MmapException(SqlState.IO_ERROR, "file " + file
        + " was truncated by another program while being read (now " + size + " bytes)", e);
  }

  // ---------------------------------------------------------------- writes

  /** The lock that makes a write statement exclusive on this array. */
  public ReentrantLock writeLock() {
    return writeLock;
  }

  private void requireWritable(String what) {
    checkOpen();
    if (readOnly) {
      throw new MmapException(SqlState.READ_ONLY, "cannot " + what + " " + file
          + ": the binding is read-only; nothing was changed");
    }
  }

  /**
   * Writes the row images {@code images} (one stride each) at rows {@code indexes}.
   * Indexes must be sorted, distinct and below {@link #length()}; the caller
   * holds {@link #writeLock()}. A row the file no longer has (another program
   * cut it) is refused before anything is written: an update never grows a
   * file. If a write fails (a full disk filling a hole of a sparse file), the
   * rows already written are put back before the error is reported.
   */
  public void write(long[] indexes, byte[] images) {
    requireWritable("write to");
    if (indexes.length == 0) {
      return;
    }
    applyLock.writeLock().lock();
    try {
      writeApplied(indexes, images);
    } finally {
      applyLock.writeLock().unlock();
    }
  }

  private void writeApplied(long[] indexes, byte[] images) {
    long last = indexes[indexes.length - 1];
    long end = layout.dataOffset() + (last + 1) * layout.stride();
    long real = realSize();
    if (real < end) {
      throw new MmapException(SqlState.IO_ERROR, "cannot write to " + file + ": another program cut it to "
          + real + " bytes, shorter than row " + last + " needs; nothing was written");
    }
    byte[] old = images(indexes);
    undo.beginUpdate(indexes, old); // before any byte is written: scans that started earlier put these back
    try {
      writeAt(indexes, images);
    } catch (IOException | InternalError e) {
      // InternalError: a store faulted, past the end of a file another program cut just now (or into
      // a hole of a sparse file on a full disk); the rows still in the file get their old values back
      long now = realSize();
      String why = now < end ? "another program cut it to " + now + " bytes while it was written"
          : String.valueOf(e.getMessage());
      int still = rowsBelow(indexes, now); // the rows past the cut are gone: nothing to put back there
      try {
        if (still > 0) {
          writeAt(Arrays.copyOf(indexes, still), Arrays.copyOf(old, still * layout.stride()));
        }
      } catch (IOException | InternalError again) {
        e.addSuppressed(again);
        throw new MmapException(SqlState.IO_ERROR, "write to " + file + " failed, and so did putting the old"
            + " values back; some values may be changed: " + why, e);
      }
      throw new MmapException(SqlState.IO_ERROR, "write to " + file + " failed, nothing changed"
          + (now < end ? " in the rows it still has" : "") + ": " + why, e);
    } finally {
      undo.end();
      durability.written();
    }
  }

  /** How many of the sorted {@code indexes} lie wholly within a file of {@code size} bytes. */
  private int rowsBelow(long[] indexes, long size) {
    long whole = Math.max(0, size - layout.dataOffset()) / layout.stride();
    int i = Arrays.binarySearch(indexes, whole);
    return i < 0 ? -i - 1 : i;
  }

  /**
   * Writes the row images at their rows through a writable mapping of just
   * those rows rather than with pwrite: a store cannot make the file longer,
   * so a file another program cuts at this very moment stays cut (a store
   * past its new end faults, see {@link #writeApplied}).
   */
  private void writeAt(long[] indexes, byte[] images) throws IOException {
    int stride = layout.stride();
    long to = layout.dataOffset() + (indexes[indexes.length - 1] + 1) * stride;
    MemorySegment window = writable(to);
    int i = 0;
    while (i < indexes.length) {
      long start = indexes[i];
      int j = i + 1;
      while (j < indexes.length && indexes[j] == start + (j - i)) {
        j++;
      }
      MemorySegment.copy(images, i * stride, window, ValueLayout.JAVA_BYTE,
          layout.dataOffset() + start * stride, (j - i) * stride);
      i = j;
    }
  }

  /**
   * The writable mapping of the file from its first byte, at least {@code to}
   * bytes long, kept from one UPDATE to the next (a mapping a statement would
   * cost a point update more than the rest of it): it reaches past the end of
   * the file, and grows geometrically. Under the statement's write lock, which
   * {@link #close} takes too.
   */
  private MemorySegment writable(long to) throws IOException {
    if (writeWindow == null || writeWindow.byteSize() < to) {
      long size = Math.max(to + to / 2, MAP_ALIGN * 16);
      size = (size + MAP_ALIGN - 1) & ~(MAP_ALIGN - 1);
      Arena arena = Arena.ofShared();
      MemorySegment window;
      try {
        window = NativeMap.mapForWrite(writeFd, 0, size, arena);
      } catch (IOException | RuntimeException e) {
        arena.close();
        throw e;
      }
      closeWriteWindow();
      writeArena = arena;
      writeWindow = window;
    }
    return writeWindow;
  }

  private void closeWriteWindow() {
    if (writeArena != null) {
      writeArena.close();
      writeArena = null;
      writeWindow = null;
    }
  }

  /**
   * Appends {@code count} row images; returns the index of the first. The
   * caller holds {@link #writeLock()}. A headerless file is written with
   * O_APPEND, so rows another program appends at the same moment are never
   * overwritten; a .npy file at its real end, read under the lock, and its
   * header gets the new shape after the data is written (if the header has no
   * room for the longer shape, nothing is appended). All or nothing: if the
   * disk fills up half way the file is cut back to its old length (unless
   * another program appended after these rows meanwhile; the error says so).
   * Readers of this process see the rows once all of them are written.
   */
  public long append(byte[] images, int count) {
    long first;
    long start;
    byte[] newHeader;
    synchronized (this) {
      requireWritable("append to");
      adopt(realSize());
      requireWholeRows("append to");
      first = length();
      newHeader = header == null ? null : header.withRows(first + count);
      if (header != null && newHeader == null) {
        throw new MmapException(SqlState.DATA_EXCEPTION, "cannot append to " + file + ": its .npy header has no"
            + " room for the shape " + layout.shapeText(first + count) + " (numpy < 1.24 wrote it without room to"
            + " grow; save it again with a current numpy); nothing was appended");
      }
      start = layout.dataOffset() + first * layout.stride();
      appendingFrom = fileBytes;
    }
    long end = start + images.length;
    try {
      if (header == null) {
        long[] ends = appendAtEnd(images);
        start = ends[0];
        end = ends[1];
        first = (start - layout.dataOffset()) / layout.stride();
      } else {
        for (int off = 0; off < images.length; off += WRITE_BUFFER) {
          int n = Math.min(WRITE_BUFFER, images.length - off);
          writeFully(ByteBuffer.wrap(images, off, n), start + off);
        }
        writeFully(ByteBuffer.wrap(newHeader), 0);
      }
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "append to " + file + " failed, "
          + rollBack(start, first, images.length, e)
          + ": " + e.getMessage(), e);
    } finally {
      durability.written();
      synchronized (this) {
        appendingFrom = -1;
      }
    }
    synchronized (this) {
      if (newHeader != null) {
        header = NpyHeader.parse(newHeader, file.toString());
      }
      adopt(Math.max(end, realSize()));
    }
    return first;
  }

  /**
   * Writes {@code images} with O_APPEND, in whole rows per write(2), and
   * returns where the first landed and where the last ended: the kernel picks
   * the end of file for each write, so another program's appends cannot be
   * overwritten (they may fall between two of these writes of a large append).
   */
  private long[] appendAtEnd(byte[] images) throws IOException {
    int chunk = Math.max(1, WRITE_BUFFER / layout.stride()) * layout.stride();
    long first = -1;
    long end = -1;
    synchronized (channelLock) {
      boolean interrupted = Thread.interrupted(); // an interrupt would close the channel half way
      try (FileChannel ch = FileChannel.open(self, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        for (int off = 0; off < images.length; off += chunk) {
          ByteBuffer b = ByteBuffer.wrap(images, off, Math.min(chunk, images.length - off));
          int n = b.remaining();
          while (b.hasRemaining()) {
            ch.write(b);
          }
          end = ch.position();
          if (first < 0) {
            first = end - n;
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    return new long[] {first, end};
  }

  /** After a failed append: cuts the file back to {@code start} if nobody else appended since. */
  private String rollBack(long start, long first, long length, IOException e) {
    try {
      if (header == null && realSize() > start + length) {
        return "and another program appended meanwhile, so the file was not cut back: rows from idx "
            + first + " may be partly written";
      }
      io(ch -> ch.truncate(start));
      if (header != null) {
        writeFully(ByteBuffer.wrap(header.withRows(first)), 0);
      }
      return "nothing appended";
    } catch (IOException suppressed) {
      e.addSuppressed(suppressed);
      return "and cutting it back failed too";
    }
  }

  /** Cuts the array to {@code newLength} rows; the caller holds {@link #writeLock()}. */
  public void truncate(long newLength) {
    // Excludes aggregates as an UPDATE does: one sees the rows before the cut or after it.
    applyLock.writeLock().lock();
    try {
      cut(newLength);
    } finally {
      applyLock.writeLock().unlock();
    }
  }

  private synchronized void cut(long newLength) {
    requireWritable("truncate");
    long bytes = layout.dataOffset() + newLength * layout.stride();
    byte[] newHeader = header == null ? null : header.withRows(newLength);
    try {
      mapping.exclusive(() -> {
        io(ch -> ch.truncate(bytes));
        // registered once the cut is made, while no reader copies: a failed cut ends no scan early
        undo.cut(newLength);
        if (newHeader != null) {
          writeFully(ByteBuffer.wrap(newHeader), 0);
          header = NpyHeader.parse(newHeader, file.toString());
        }
        setSize(bytes);
      });
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "truncate of " + file + " failed: " + e.getMessage(), e);
    } finally {
      durability.written();
    }
  }

  /** Throws unless the file ends with a whole row: appends and pops would misalign it. */
  public void requireWholeRows(String what) {
    long tail = tailBytes();
    if (tail != 0) {
      throw new MmapException(SqlState.DATA_EXCEPTION, "cannot " + what + " " + file
          + ": it ends with a partial element (" + tail + " trailing bytes after " + rows + " rows of "
          + layout.stride() + " bytes); repair it by truncating, e.g. DELETE FROM the table");
    }
  }

  private void writeFully(ByteBuffer buf, long position) throws IOException {
    int start = buf.position();
    io(ch -> {
      buf.position(start); // a retry writes the whole buffer again, at the same place
      long pos = position;
      while (buf.hasRemaining()) {
        pos += ch.write(buf, pos);
      }
      return null;
    });
  }

  /** An operation on the channel; positional, so running it twice is harmless. */
  private interface ChannelOp {
    Object run(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code op} on the channel. A FileChannel closes itself for good when
   * the thread using it is interrupted (a server stopping its workers, say);
   * that must not break the table for everyone: the channel is opened again on
   * the same inode and the operation repeated, and the interrupt is kept for
   * the caller to see.
   */
  private void io(ChannelOp op) throws IOException {
    synchronized (channelLock) {
      ioLocked(op);
    }
  }

  private void ioLocked(ChannelOp op) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          op.run(channel);
          return;
        } catch (ClosedByInterruptException e) {
          interrupted |= Thread.interrupted();
          if (attempt == 3) {
            throw e;
          }
          channel = openChannel();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Forces written data to disk if anything was written since the last successful force. */
  public void force() {
    if (closed) {
      return;
    }
    try {
      durability.force(() -> io(ch -> {
        ch.force(false);
        return null;
      }));
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "cannot force " + file + " to disk: " + e.getMessage(), e);
    }
  }

  /** Writes counted that no successful force covers yet: 0 right after a sync statement. */
  public long unforcedWrites() {
    return durability.unforced();
  }

  /** Forces of this file that ran and succeeded (a seam for the tests of durability). */
  public long forces() {
    return durability.forces();
  }

  /**
   * Runs {@code reads} (an aggregate over many blocks) so that it sees each
   * UPDATE and truncation on this array whole or not at all.
   */
  public <T> T consistent(java.util.function.Supplier<T> reads) {
    applyLock.readLock().lock();
    try {
      return reads.get();
    } finally {
      applyLock.readLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new MmapException(SqlState.UNDEFINED_TABLE, "table on " + file + " was unmapped");
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes now if no write statement runs on this array, else as soon as it
   * ends (on a thread of its own): an UNMAP never waits for a write, so
   * neither a lock cycle nor a statement timeout can leave it stuck.
   */
  public void closeWhenFree() {
    if (writeLock.tryLock()) {
      try {
        close();
      } finally {
        writeLock.unlock();
      }
      return;
    }
    Thread t = new Thread(this::close, "mmapsql-close " + file.getFileName());
    t.setDaemon(true);
    t.start();
  }

  /** Forces, unmaps and closes. Waits for a running write statement and block readers. */
  @Override public void close() {
    writeLock.lock();
    try {
      synchronized (this) {
        if (closed) {
          return;
        }
        try {
          force();
        } catch (MmapException ignored) {
          // closing anyway; the data is in the page cache
        }
        try {
          mapping.exclusive(() -> {
            closed = true;
            mapping.unmap();
            try {
              channel.close();
            } catch (IOException ignored) {
              // nothing to lose: writes went through the channel already
            }
            NativeMap.close(fd);
            closeWriteWindow();
            if (writeFd >= 0) {
              NativeMap.close(writeFd);
            }
          });
        } catch (IOException impossible) {
          throw new AssertionError(impossible);
        }
      }
    } finally {
      writeLock.unlock();
    }
  }
}
