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
import org.mmapsql.storage.ElementType;
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

  /** Called when a connection closes; the last one closes the directory. */
  public void release() {
    synchronized (OPEN) {
      if (--users > 0) {
        return;
      }
      OPEN.remove(dir);
      flusher.shutdownNow();
      synchronized (this) {
        bindings.values().forEach(Binding::close);
        bindings.clear();
      }
      // Inside: the next open of this directory in this JVM waits for the lock to be free.
      lock.close();
    }
  }

  private void restore(CatalogFile.Entry e) {
    ElementType type = ElementType.of(e.type());
    Binding b = new Binding(e.name(), e.path(), dir.resolve(e.path()).normalize(), type, paths);
    bindings.put(key(e.name()), b);
    try {
      b.array(); // opened through the path policy: a link may have changed, a directory left the allow-list
    } catch (MmapException ex) {
      LOG.warn("{}", ex.getMessage());
    }
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

  /**
   * Binds {@code name} to {@code path} (creating an empty file if missing) and
   * returns the element count. Binding the same name to the same file again
   * just returns the count.
   */
  public synchronized long map(String name, String path, String typeName) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new MmapException("invalid table name '" + name
          + "': use letters, digits and underscores, starting with a letter or underscore");
    }
    ElementType type = ElementType.of(typeName);
    Path file = paths.resolve(path);
    Binding existing = binding(name);
    if (existing != null) {
      if (!existing.file().equals(file)) {
        throw new MmapException("table " + existing.name() + " is already mapped on another file ("
            + existing.storedPath() + ")");
      }
      if (existing.type() != type) {
        throw new MmapException("table " + existing.name() + " is already mapped with type "
            + existing.type().sqlName());
      }
      return existing.refreshed().length();
    }
    for (Binding b : bindings.values()) {
      if (b.file().equals(file)) {
        throw new MmapException("file " + path + " is already mapped as table " + b.name());
      }
    }
    if (bindings.size() >= settings.maxMappings()) {
      throw new MmapException("too many mappings: the limit is " + settings.maxMappings()
          + " (setting maxMappings)");
    }
    boolean created = createIfMissing(file);
    Binding b = new Binding(name, paths.toStored(file), file, type, paths);
    MappedArray array;
    try {
      array = b.array();
    } catch (MmapException e) {
      deleteIfCreated(file, created);
      throw new MmapException("cannot map " + path + ": " + e.getMessage(), e);
    }
    bindings.put(key(name), b);
    catalogChanged();
    try {
      saveCatalog();
    } catch (MmapException e) {
      bindings.remove(key(name));
      catalogChanged();
      b.close();
      deleteIfCreated(file, created);
      throw e;
    }
    return array.length();
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
    b.close(); // outside the monitor: it waits for a write statement running on the table
    return 1;
  }

  private void saveCatalog() {
    catalog.write(bindings().stream()
        .map(b -> new CatalogFile.Entry(b.name(), b.type().sqlName(), b.storedPath()))
        .toList());
  }

  private static boolean createIfMissing(Path file) {
    try {
      FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
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
