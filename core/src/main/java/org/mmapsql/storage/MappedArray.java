package org.mmapsql.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * One file of fixed-width rows, mapped into memory: a headerless file or a
 * {@code .npy} file, as its {@link Layout} says. The one class the other
 * layers call; it holds the locks and hands the work to one small class per role.
 *
 * <p>The file is opened once, as a descriptor that names its inode for good;
 * the mapping and the channel for writes are both made from it, never from the
 * path again. Reads go through a read-only shared mapping that reaches past the
 * end of file (see {@link NativeMap}); appends and truncations go through the
 * channel, so a full disk is an {@link IOException}, never a fault; writes in
 * place (UPDATE) of many rows go through a writable mapping of the file, which
 * can never make the file longer than another program left it, and of a few
 * rows the same way while they come back to the pages they wrote between two
 * forces, else with pwrite, checked against the file's length before and after
 * (see {@link InPlaceWriter}, {@link PointWritePath}). Every write is in the
 * page cache, visible to the mapping and to other processes, when it returns.
 * A read-only binding opens no channel for writing and refuses every write.
 *
 * <p>Roles: {@link Layout} says what the bytes mean; {@link FileHandle} is the
 * open file and its channel (reopened after an interrupt closed it);
 * {@link Mapping} holds the mapped region; {@link FileWatch} keeps the size,
 * rows and .npy header as last seen and notices what other programs did to the
 * file ({@link #refresh}); {@link RowReader} copies rows out of the mapping;
 * {@link InPlaceWriter} writes rows in place (UPDATE), {@link Appender} appends
 * (INSERT) and {@link Truncation} cuts (DELETE of the last rows, VPOP);
 * {@link UndoLog} keeps old rows for the scans that started before a change;
 * {@link Durability} counts what is not yet forced; {@link NpyHeader} reads
 * and rewrites a .npy header.
 *
 * <p>Locking, outermost first; a thread that holds one lock takes only locks
 * below it:
 * <ol>
 * <li>{@link #writeLock()}: makes each write statement exclusive on this
 *     array; its caller takes it, {@link #close} too.
 * <li>the apply lock, here: held for writing while an UPDATE's rows are
 *     written ({@link #write}) and while the file is cut ({@link #truncateTail}),
 *     and for reading through a whole aggregate ({@link #consistent}), which so
 *     sees all of an UPDATE or truncation or none of it, and through each chunk
 *     a copy writes straight out of the mapping ({@link Snapshot#writeBytes}).
 * <li>the size lock, the monitor of the {@link FileWatch}: guards the size,
 *     the rows and the header, so that a reader's {@link #refresh()} cannot undo
 *     a concurrent append; held by refresh, by a truncation, by {@link #close},
 *     and by an append only before and after its file I/O, never through it
 *     (a COUNT(*) does not wait behind a large INSERT).
 * <li>the mapping's lock ({@link Mapping}): held for reading while a reader
 *     copies a block ({@link RowReader}), and for writing while the file shrinks
 *     or the mapping is replaced or unmapped, so no reader ever touches bytes
 *     that are being cut off.
 * <li>the channel's lock ({@link FileHandle#io}), innermost: one use of the
 *     channel at a time, so that reopening it after an interrupt is safe.
 * </ol>
 * A scan takes no lock a writer waits for: it reads through a {@link Snapshot},
 * to which the {@link UndoLog} puts back the rows changed since it started.
 * Writers take the append position and the bound of an update from the file
 * itself, never from a cached size; appends to a headerless file go through
 * O_APPEND, so the kernel puts them after whatever another program appended.
 */
public final class MappedArray implements AutoCloseable {
  private final FileHandle handle;
  private final Layout layout;
  private final Mapping mapping;
  private final UndoLog undo;
  private final FileWatch watch;
  private final RowReader reader;
  private final InPlaceWriter writer;
  private final Appender appender;
  private final Truncation truncation;
  private final Durability durability = new Durability();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantReadWriteLock applyLock = new ReentrantReadWriteLock();
  /** Guards {@link #readers} and {@link #closeAfterReaders}; taken alone, never around another lock. */
  private final Object readersLock = new Object();
  /** Scans (snapshots open) and aggregates ({@link #consistent}) reading now. */
  private int readers;
  /** Set by {@link #closeWhenRead}: the last reader to end closes the array. */
  private boolean closeAfterReaders;

  private MappedArray(FileHandle handle, Layout raw) throws IOException {
    this.handle = handle;
    Path file = handle.file();
    long size = handle.channelSize();
    NpyHeader header = null;
    if (raw == null) {
      header = FileWatch.readHeader(handle, size);
      this.layout = Layout.of(header, file.toString());
      size = Appender.cutUncounted(handle, layout, header, size);
    } else {
      this.layout = raw;
    }
    this.mapping = new Mapping(handle.fd(), file, size);
    this.undo = new UndoLog(layout, file.toString());
    this.watch = new FileWatch(handle, layout, header, mapping, size);
    this.reader = new RowReader(handle, layout, mapping, watch);
    this.writer = new InPlaceWriter(handle, layout, watch, reader, undo, durability);
    this.appender = new Appender(handle, layout, watch, durability);
    this.truncation = new Truncation(handle, layout, watch, mapping, undo, durability);
  }

  /**
   * Opens (and maps) an existing regular file; a symbolic link as last component is refused.
   * {@code raw} is the layout of a headerless file, null for a .npy file (its header says).
   */
  public static MappedArray open(Path file, Layout raw, boolean readOnly) throws IOException {
    FileHandle handle = FileHandle.open(file, readOnly);
    try {
      return new MappedArray(handle, raw);
    } catch (IOException | RuntimeException e) {
      handle.close();
      throw e;
    }
  }

  /**
   * From now on a statement that reads no values in bulk does not look at the file
   * ({@link #counted}, {@link #readAtUnchanged}; {@link FileWatch#trustOwnChanges}): the MMAP
   * option {@code exclusive}, for a file no other program grows, cuts or replaces.
   */
  public void trustOwnChanges() {
    watch.trustOwnChanges();
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

  public Path file() {
    return handle.file();
  }

  /** Where the open file really is, as the kernel resolved it: for checking it against a policy. */
  public Path openedPath() throws IOException {
    return Files.readSymbolicLink(handle.self());
  }

  public Layout layout() {
    return layout;
  }

  public boolean readOnly() {
    return handle.readOnly();
  }

  /** Number of whole rows. */
  public long length() {
    return watch.length();
  }

  /** Bytes past the last whole row (data beyond a .npy header's shape included), 0 for a sound file. */
  public long tailBytes() {
    return watch.tailBytes();
  }

  public long fileBytes() {
    return watch.fileBytes();
  }

  /**
   * Re-reads the file's size so that a statement sees what other processes did:
   * a longer or shorter file shows its new length. A deleted file is an error;
   * a path that now names another file is a {@link FileReplacedException}.
   * Called at the start of each statement, and by writers under the write lock.
   */
  public long refresh() {
    return watch.refresh(false);
  }

  /**
   * {@link #refresh} for a statement that reads no row (a count): on an exclusive binding, the length
   * as last seen, without a look. Every other statement looks, on any binding, so that what it reads in
   * bulk (a scan, an aggregate of values) is the file as it is.
   */
  public long counted() {
    return watch.refresh(true);
  }

  // ---------------------------------------------------------------- reads

  /** Reads rows into {@code out[column][i]} as SQL values; returns how many. */
  public int read(long row, int count, Object[][] out) {
    return reader.read(row, count, out);
  }

  /** Reads the rows at {@code positions} (ascending) into {@code out[column][i]}; returns how many (a prefix). */
  public int readAt(long[] positions, Object[][] out) {
    return reader.readAt(positions, out, true);
  }

  /**
   * Reads the rows at {@code positions} as {@link #readAt} does, looking at the
   * file once, after the read, instead of before ({@link #refresh}) and after:
   * how many rows, or -1 if the file is not as last seen (another program grew,
   * cut, replaced or deleted it, this process changed its length meanwhile, or
   * statx cannot be called here); then {@link #refresh} and {@link #readAt}. The
   * one look proves what the two did: the statement sees the file as it is now,
   * and no row read came from past its end (a cut sets the size before it
   * zeroes or unmaps the pages past it). {@code rows}: the {@link #length}
   * the positions were cut to, which must still be the length then (a look by
   * another thread in between may have seen rows the positions left out).
   */
  public int readAtUnchanged(long[] positions, Object[][] out, long rows) {
    if (!watch.canLook()) {
      return -1;
    }
    long seen = watch.fileBytes();
    int n = reader.readAt(positions, out, false);
    return n >= 0 && watch.unchanged(seen, rows) ? n : -1;
  }

  /** Copies rows as they lie in the file, {@code stride} bytes each, into {@code out} from 0; returns how many. */
  public int readBytes(long row, int count, byte[] out) {
    return reader.readBytes(row, count, out);
  }

  /**
   * A view for one scan: reads see every UPDATE and truncation of this process
   * that began after it opened as not yet done (see {@link UndoLog}), at the
   * cost of one volatile read a block. Close it when the scan ends.
   */
  public Snapshot snapshot() {
    readerStarts();
    return new Snapshot(undo.open());
  }

  /** Block reads as of when a scan started; see {@link #snapshot()}. */
  public final class Snapshot implements AutoCloseable {
    private final UndoLog.Snapshot view;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Snapshot(UndoLog.Snapshot view) {
      this.view = view;
    }

    /** Reads rows into {@code out[column][i]} as SQL values, as of the scan's start; returns how many. */
    public int read(long row, int count, Object[][] out) {
      int n = reader.read(row, count, out);
      return n == 0 ? 0 : view.settle(row, n, out);
    }

    /** Copies rows raw into {@code out} ({@link #readBytes}), as of the scan's start; returns how many. */
    public int readBytes(long row, int count, byte[] out) {
      int n = MappedArray.this.readBytes(row, count, out);
      return n == 0 ? 0 : view.settle(row, n, out);
    }

    /**
     * Writes rows as they lie, as of the scan's start, to {@code out}; returns
     * how many. Straight out of the mapping ({@link RowReader#writeBytes}) if
     * no UPDATE or truncation of this process began since the scan started:
     * the apply lock, held for reading through the write, keeps one from
     * writing meanwhile, and no chunk is ever written twice (a second write at
     * the first's place could land on rows another program appended since).
     * Else copied out as the scan sees them first, then written.
     */
    public int writeBytes(long row, int count, RowChunks.Sink out) throws IOException {
      applyLock.readLock().lock();
      try {
        if (view.unchanged()) {
          return reader.writeBytes(row, count, out);
        }
      } finally {
        applyLock.readLock().unlock();
      }
      byte[] rows = new byte[count * layout.stride()];
      int n = readBytes(row, count, rows);
      if (n > 0) {
        out.write(ByteBuffer.wrap(rows, 0, n * layout.stride()));
      }
      return n;
    }

    /** Idempotent, from any thread. */
    @Override public void close() {
      view.close();
      if (closed.compareAndSet(false, true)) {
        readerEnds();
      }
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
    return reader.readDoubles(row, count, column, out);
  }

  /**
   * Aggregates up to {@code count} rows of one column from {@code row} where
   * they lie, with no copy (see {@link RunStats}), keeping the values in
   * {@code range}; returns how many rows it read, fewer when the array is now
   * shorter (a run another program cut meanwhile is read again up to the cut).
   */
  public int stats(long row, int count, int column, ValueRange range, RunStats out) {
    return reader.stats(row, count, column, range, out);
  }

  /** The bytes of the rows at {@code indexes}, which must be below {@link #length()}. */
  public byte[] images(long[] indexes) {
    return reader.images(indexes);
  }

  // ---------------------------------------------------------------- writes

  /** The lock that makes a write statement exclusive on this array. */
  public ReentrantLock writeLock() {
    return writeLock;
  }

  /**
   * Writes the row images {@code images} (one stride each) at rows {@code indexes}.
   * Indexes must be sorted, distinct and below {@link #length()}; the caller
   * holds {@link #writeLock()}. A row the file no longer has (another program
   * cut it) is refused before anything is written, one cut in the moment after
   * that check is noticed after the write: an update never grows a file. If a write fails (a full disk filling a hole of a sparse file), the
   * rows already written are put back before the error is reported.
   */
  public void write(long[] indexes, byte[] images) {
    write(indexes, images, false);
  }

  /**
   * As {@link #write(long[], byte[])}; if {@code looked}, the caller looked at
   * the file ({@link #refresh}) under the write lock just now, and the size it
   * saw is the check: no second look before the write.
   */
  public void write(long[] indexes, byte[] images, boolean looked) {
    handle.requireWritable("write to");
    if (indexes.length == 0) {
      return;
    }
    // The look counts only if the write follows it at once: a wait behind a running scan or aggregate is
    // time for another program to cut the file, which the write would grow back (zeros past the cut).
    boolean waited = !applyLock.writeLock().tryLock();
    if (waited) {
      applyLock.writeLock().lock();
    }
    try {
      writer.write(indexes, images, looked && !waited);
    } finally {
      applyLock.writeLock().unlock();
    }
  }

  /**
   * Appends {@code count} row images. The
   * caller holds {@link #writeLock()}. A headerless file is written with
   * O_APPEND, so rows another program appends at the same moment are never
   * overwritten; a .npy file at its real end, read under the lock, and its
   * header gets the new shape after the data is written (if the header has no
   * room for the longer shape, nothing is appended). All or nothing: if the
   * disk fills up half way the file is cut back to its old length (unless
   * another program appended after these rows meanwhile; the error says so).
   * Readers of this process see the rows once all of them are written.
   * Returns where the rows landed: after another program's rows if it
   * appended first, split around its rows if it appended between two
   * chunks of a large append.
   */
  public Landing append(byte[] images, int count) {
    return appender.append(images, count);
  }

  /**
   * Appends the rows {@code chunks} makes, a chunk at a time, as
   * {@link #append(byte[], int)} does (all or nothing, seen by readers once
   * all are written, where they landed returned). If making a chunk fails
   * (a value that does not fit, a cancel), the file is cut back and that error
   * thrown. Do not read this array's rows past {@link #length()} meanwhile.
   */
  public Landing append(RowChunks chunks) {
    return appender.append(chunks);
  }

  /**
   * Cuts the array to {@code newLength} rows if the file still has the {@code rows} rows and
   * {@code bytes} bytes the statement decided on ({@link #length()}, {@link #fileBytes()} after its
   * {@link #refresh()}); false, nothing cut, if another program appended or cut meanwhile. The
   * caller holds {@link #writeLock()}.
   */
  public boolean truncateIfUnchanged(long newLength, long rows, long bytes) {
    // Excludes aggregates as an UPDATE does: one sees the rows before the cut or after it.
    applyLock.writeLock().lock();
    try {
      return truncation.cutIfUnchanged(newLength, rows, bytes);
    } finally {
      applyLock.writeLock().unlock();
    }
  }

  /**
   * Cuts the array to {@code newLength} rows, with whatever rows another program appended
   * meanwhile (never lengthening it); returns the rows it had right before the cut. The caller
   * holds {@link #writeLock()}.
   */
  public long truncateTail(long newLength) {
    applyLock.writeLock().lock();
    try {
      return truncation.cutTail(newLength);
    } finally {
      applyLock.writeLock().unlock();
    }
  }

  /** Throws unless the file ends with a whole row: appends and pops would misalign it. */
  public void requireWholeRows(String what) {
    watch.requireWholeRows(what);
  }

  /** Forces written data to disk if anything was written since the last successful force. */
  public void force() {
    if (handle.isClosed()) {
      return;
    }
    try {
      durability.force(() -> handle.io(ch -> {
        ch.force(false);
        return null;
      }));
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "cannot force " + file() + " to disk: "
          + e.getMessage(), e);
    }
  }

  /** Writes of one row that went through the writable mapping rather than with pwrite (a seam for tests). */
  public long pointStores() {
    writeLock.lock();
    try {
      return writer.pointStores();
    } finally {
      writeLock.unlock();
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
  public <T> T consistent(Supplier<T> reads) {
    readerStarts();
    try {
      applyLock.readLock().lock();
      try {
        return reads.get();
      } finally {
        applyLock.readLock().unlock();
      }
    } finally {
      readerEnds();
    }
  }

  private void readerStarts() {
    synchronized (readersLock) {
      readers++;
    }
  }

  private void readerEnds() {
    synchronized (readersLock) {
      if (--readers > 0 || !closeAfterReaders) {
        return;
      }
      closeAfterReaders = false;
    }
    closeWhenFree();
  }

  /**
   * For a file another program replaced: closes as {@link #closeWhenFree}
   * does once the scans and aggregates reading it now have ended, so that
   * they finish on the file they started on (the old inode stays whole while
   * it is open). A statement that comes to this array after it closed fails
   * with SQLSTATE 40001 ("run it again"), not as if the table were unmapped.
   */
  public void closeWhenRead() {
    handle.markReplaced();
    synchronized (readersLock) {
      if (readers > 0) {
        closeAfterReaders = true;
        return;
      }
    }
    closeWhenFree();
  }

  public boolean isClosed() {
    return handle.isClosed();
  }

  /**
   * Closes now if no write statement runs on this array, else as soon as it
   * ends (on a thread of its own): an UNMAP never waits for a write, so
   * neither a lock cycle nor a statement timeout can leave it stuck.
   */
  public void closeWhenFree() {
    // a thread that holds the write lock (a scan of u ending inside INSERT INTO u SELECT ... FROM u)
    // must not close under its own write
    if (!writeLock.isHeldByCurrentThread() && writeLock.tryLock()) {
      try {
        close();
      } finally {
        writeLock.unlock();
      }
      return;
    }
    Thread t = new Thread(this::close, "mmapsql-close " + file().getFileName());
    t.setDaemon(true);
    t.start();
  }

  /** Forces, unmaps and closes. Waits for a running write statement and block readers. */
  @Override public void close() {
    writeLock.lock();
    try {
      synchronized (watch) {
        if (handle.isClosed()) {
          return;
        }
        try {
          force();
        } catch (MmapException ignored) {
          // closing anyway; the data is in the page cache
        }
        try {
          mapping.exclusive(() -> {
            handle.close(); // marks it closed first: readers waiting for the mapping see that
            mapping.unmap();
            writer.closeWindow();
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
