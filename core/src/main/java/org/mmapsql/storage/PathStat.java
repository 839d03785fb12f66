package org.mmapsql.storage;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a path names now, asked with one {@code statx(2)} into buffers made
 * once: the size of the file, if it is still the file that was opened. It is
 * the same system call {@code Files.readAttributes} makes, without copying the
 * path to native memory, filling an attributes object and making a file key
 * at each statement ({@link FileWatch#refresh} runs it once per statement).
 * Not for concurrent use: its owner calls it under its monitor.
 */
final class PathStat {
  /** What {@link #size} returns when the call failed (the path is gone, unreadable): ask Java for the reason. */
  static final long FAILED = -1;
  /** What {@link #size} returns when the path names another file than the one opened. */
  static final long OTHER_FILE = -2;

  private static final int STATX_INO = 0x100;
  private static final int STATX_SIZE = 0x200;
  /** struct statx is the same on every architecture: 256 bytes, these offsets. */
  private static final int SIZE_OF_STATX = 256;
  private static final long STX_MASK = 0;
  private static final long STX_INO = 32;
  private static final long STX_SIZE = 40;
  private static final long STX_DEV_MAJOR = 136;
  private static final long STX_DEV_MINOR = 140;

  private final MemorySegment path;
  private final MemorySegment buffer;
  private final long device;
  private final long inode;

  private PathStat(MemorySegment path, MemorySegment buffer, long device, long inode) {
    this.path = path;
    this.buffer = buffer;
    this.device = device;
    this.inode = inode;
  }

  /**
   * The stat of {@code file} against the file open as {@code self} (its
   * {@code /proc/self/fd/N}), or null if statx cannot be called here.
   */
  static @Nullable PathStat of(Path file, Path self) {
    if (!NativeMap.hasStatx() || !nativeNames(file) || !nativeNames(self)) {
      return null;
    }
    Arena arena = Arena.ofAuto(); // freed with this object
    MemorySegment buffer = arena.allocate(SIZE_OF_STATX, 8);
    if (!call(arena.allocateFrom(self.toString()), buffer)) {
      return null;
    }
    return new PathStat(arena.allocateFrom(file.toString()), buffer, device(buffer), buffer.get(JAVA_LONG, STX_INO));
  }

  /** Whether the bytes given to statx are those Java gives the kernel for {@code path}. */
  private static boolean nativeNames(Path path) {
    return path.toString().chars().allMatch(c -> c < 0x80)
        || "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));
  }

  /** The size of the file the path names now; {@link #OTHER_FILE} if that is not the file opened; or {@link #FAILED}. */
  long size() {
    if (!call(path, buffer)) {
      return FAILED;
    }
    if (buffer.get(JAVA_LONG, STX_INO) != inode || device(buffer) != device) {
      return OTHER_FILE;
    }
    return buffer.get(JAVA_LONG, STX_SIZE);
  }

  private static boolean call(MemorySegment path, MemorySegment buffer) {
    int want = STATX_INO | STATX_SIZE;
    return NativeMap.statx(path, want, buffer) && (buffer.get(JAVA_INT, STX_MASK) & want) == want;
  }

  private static long device(MemorySegment buffer) {
    return (long) buffer.get(JAVA_INT, STX_DEV_MAJOR) << 32 | buffer.get(JAVA_INT, STX_DEV_MINOR) & 0xFFFFFFFFL;
  }
}
