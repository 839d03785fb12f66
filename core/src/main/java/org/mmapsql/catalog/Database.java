package org.mmapsql.catalog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.Dtype;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.MappedArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open data directory: its lock, its bindings and their mappings. One
 * instance per directory per JVM, shared by every connection on it, closed
 * when the last of them closes.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Map<Path, Database> OPEN = new HashMap<>();

  private final Path dir;
  private final Settings settings;
  private final PathPolicy paths;
  private final CatalogFile catalog;
  private final DirectoryLock lock;
  /** Bindings by lower-case name: names match case-insensitively. */
  private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
  private final ScheduledExecutorService flusher;
  /** Counts changes of the catalog (a binding made or removed); cached plans depend on it. */
  private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();
  private int users;

  /** What is fixed when a directory is opened (by its first connection). */
  public record Settings(int maxMappings, List<Path> allowedDirectories) {
    public static final int DEFAULT_MAX_MAPPINGS = 10_000;
    public static final Settings DEFAULT = new Settings(DEFAULT_MAX_MAPPINGS, List.of());
  }

  private Database(Path dir, Settings settings) {
    this.dir = dir;
    this.settings = settings;
    this.paths = new PathPolicy(dir, settings.allowedDirectories());
    this.catalog = new CatalogFile(dir);
    this.lock = DirectoryLock.acquire(dir);
    try {
      for (CatalogFile.Entry e : catalog.read()) {
        restore(e);
      }
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mmapsql-flush " + dir);
      t.setDaemon(true);
      return t;
    });
    flusher.scheduleWithFixedDelay(this::forceAll, 1, 1, TimeUnit.SECONDS);
  }

  /** Opens a data directory (creating it if missing) or joins the instance already open. */
  public static Database open(Path directory, Settings settings) {
    Path dir;
    try {
      Files.createDirectories(directory);
      dir = directory.toRealPath();
    } catch (IOException e) {
      throw new MmapException("cannot open data directory " + directory + ": " + e.getMessage(), e);
    }
    synchronized (OPEN) {
      Database db = OPEN.get(dir);
      if (db == null) {
        db = new Database(dir, settings);
        OPEN.put(dir, db);
      }
      db.users++;
      return db;
    }
  }

  /** Called when a connection closes; the last one closes the directory, and is told so (true). */
  public boolean release() {
    synchronized (OPEN) {
      if (--users > 0) {
        return false;
      }
      OPEN.remove(dir);
      flusher.shutdownNow();
      synchronized (this) {
        bindings.values().forEach(b -> b.close(true));
        bindings.clear();
      }
      // Inside: the next open of this directory in this JVM waits for the lock to be free.
      lock.close();
      return true;
    }
  }

  private void restore(CatalogFile.Entry e) {
    Path file = dir.resolve(e.path()).normalize();
    // A headerless file's type is normalised (catalogs of version 1 said float64); a .npy's is its header's code.
    String type = Binding.isNpy(file) ? e.type() : Dtype.parse(e.type()).code();
    Binding b = new Binding(e.name(), e.path(), file, type, MapOptions.parse(e.options()), paths);
    // Not opened here: a binding's file is opened (through the path policy and the header check) on
    // first use, so that connecting costs nothing per binding, however many and however large they are.
    bindings.put(key(e.name()), b);
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The catalog's version: it changes whenever a name is bound or unbound
   * (and so when one is bound again to another file or type). Plans made at
   * one version may name tables or row types that no longer exist at another.
   */
  public long version() {
    return version.get();
  }

  /** Marks the catalog as changed, for a change the bindings alone do not show (a table's row type). */
  public void catalogChanged() {
    version.incrementAndGet();
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** The binding of a table name, matched case-insensitively, or null. */
  public Binding binding(String name) {
    return bindings.get(key(name));
  }

  public Collection<Binding> bindings() {
    List<Binding> list = new ArrayList<>(bindings.values());
    list.sort((a, b) -> a.name().compareToIgnoreCase(b.name()));
    return list;
  }

  /** The device and inode of the file {@code file} names now, null if it cannot be read. */
  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Binds {@code name} to {@code path} and returns the row count. A missing
   * file is created (a .npy with a header numpy reads), unless the binding is
   * read-only. {@code typeName} null or empty means: the header's dtype for a
   * .npy file, {@code <f8} otherwise. Binding the same name to the same file
   * with the same type and options again just returns the count.
   */
  public synchronized long map(String name, String path, String typeName, String optionText) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new MmapException(SqlState.SYNTAX_ERROR, "invalid table name '" + name
          + "': use letters, digits and underscores, starting with a letter or underscore");
    }
    Dtype given = typeName == null || typeName.isBlank() ? null : Dtype.parse(typeName);
    MapOptions options = MapOptions.parse(optionText);
    Path file = paths.resolve(path);
    boolean npy = Binding.isNpy(file);
    Binding existing = binding(name);
    if (existing != null) {
      if (!existing.file().equals(file)) {
        throw new MmapException(SqlState.TABLE_EXISTS, "table " + existing.name() + " is already mapped on another file ("
            + existing.storedPath() + ")");
      }
      Layout bound = existing.refreshed().layout();
      String wanted = given != null ? given.code() : npy ? bound.typeCode() : Dtype.FLOAT64.code();
      if (!wanted.equals(existing.type()) || existing.options().readOnly() != options.readOnly()
          || existing.options().base() != options.base() || existing.options().exclusive() != options.exclusive()
          || (options.columns() != 0 || !npy) && options.columns() != bound.twoDColumns()) {
        throw new MmapException(SqlState.TABLE_EXISTS, "table " + existing.name() + " is already mapped with type " + existing.type()
            + (existing.options().toString().isEmpty() ? "" : " and options '" + existing.options() + "'")
            + "; UNMAP it first to bind it as " + wanted
            + (options.toString().isEmpty() ? "" : " with options '" + options + "'"));
      }
      return existing.refreshed().length();
    }
    Object key = fileKey(file);
    for (Binding b : bindings.values()) {
      if (b.file().equals(file)) {
        throw new MmapException(SqlState.TABLE_EXISTS, "file " + path + " is already mapped as table " + b.name());
      }
      // a hard link: two bindings of one file would each lock and snapshot it alone
      if (key != null && key.equals(fileKey(b.file()))) {
        throw new MmapException(SqlState.TABLE_EXISTS, "file " + path + " is already mapped as table " + b.name()
            + " (it is the same file as " + b.storedPath() + ")");
      }
    }
    if (bindings.size() >= settings.maxMappings()) {
      throw new MmapException(SqlState.LIMIT_EXCEEDED, "too many mappings: the limit is " + settings.maxMappings()
          + " (setting maxMappings)");
    }
    Layout raw = npy ? null : Layout.raw(given == null ? Dtype.FLOAT64 : given, options.columns());
    boolean created = !options.readOnly() && createIfMissing(file,
        npy ? Layout.raw(given == null ? Dtype.FLOAT64 : given, options.columns()) : null);
    MappedArray array;
    Binding b;
    try {
      Layout layout = raw;
      if (npy) {
        layout = probe(file, options);
        if (given != null && !given.equals(layout.dtype())) {
          throw new MmapException(SqlState.DATA_EXCEPTION, "type " + typeName + " contradicts the header of "
              + path + ", which says " + layout.typeCode() + "; omit the type to use the header's");
        }
        if (options.columns() != 0 && options.columns() != layout.twoDColumns()) {
          throw new MmapException(SqlState.DATA_EXCEPTION, "columns=" + options.columns()
              + " contradicts the header of " + path + ", whose shape is " + layout.shapeText(0).replace("(0", "(n")
              + "; omit columns for a .npy file");
        }
      }
      // A .npy keeps its row width in the catalog too: the table's shape is known while the file is missing.
      MapOptions kept = npy ? options.withColumns(layout.twoDColumns()) : options;
      b = new Binding(name, paths.toStored(file), file, layout.typeCode(), kept, paths);
      array = b.array();
    } catch (MmapException e) {
      deleteIfCreated(file, created);
      throw new MmapException(e.state(), "cannot map " + path + ": " + e.getMessage(), e);
    }
    bindings.put(key(name), b);
    catalogChanged();
    try {
      saveCatalog();
    } catch (MmapException e) {
      bindings.remove(key(name));
      catalogChanged();
      b.close(true);
      deleteIfCreated(file, created);
      throw e;
    }
    return array.length();
  }

  /** The layout a .npy file's header describes, read once before binding. */
  private static Layout probe(Path file, MapOptions options) {
    try (MappedArray a = MappedArray.open(file, null, true)) {
      return a.layout();
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  /** Removes a binding, keeping its file; returns 1 if it existed, else 0. */
  public int unmap(String name) {
    Binding b;
    synchronized (this) {
      b = bindings.remove(key(name));
      if (b == null) {
        return 0;
      }
      catalogChanged();
      try {
        saveCatalog();
      } catch (MmapException e) {
        bindings.put(key(name), b);
        catalogChanged();
        throw e;
      }
    }
    b.close(false); // a write statement running on the table finishes first, UNMAP does not wait for it
    return 1;
  }

  private void saveCatalog() {
    catalog.write(bindings().stream()
        .map(b -> new CatalogFile.Entry(b.name(), b.type(), b.options().toString(), b.storedPath()))
        .toList());
  }

  /** Creates an empty file if there is none (with an empty array's header if {@code npy} is not null). */
  private static boolean createIfMissing(Path file, Layout npy) {
    try {
      FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
      if (npy != null) {
        MappedArray.createNpy(file, npy);
      }
      try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        d.force(true); // the new name survives a crash, like the catalog that refers to it
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new MmapException("cannot create " + file + ": " + e.getMessage(), e);
    }
  }

  private static void deleteIfCreated(Path file, boolean created) {
    if (created) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // an empty file left behind is harmless
      }
    }
  }

  /** Forces every array written since the last flush; runs about once a second. */
  private void forceAll() {
    for (Binding b : bindings.values()) {
      MappedArray a = b.openArray();
      if (a != null) {
        try {
          a.force();
        } catch (RuntimeException e) {
          LOG.warn("flush of {} failed: {}", b.name(), e.getMessage());
        }
      }
    }
  }
}
