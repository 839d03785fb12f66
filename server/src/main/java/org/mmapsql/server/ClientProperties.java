package org.mmapsql.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.calcite.avatica.BuiltInConnectionProperty;
import org.apache.calcite.avatica.remote.AvaticaRemoteConnectionProperty;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.mmapsql.jdbc.PackedBlock;

/**
 * Which connection properties a remote client may set. Only those on
 * {@link #ALLOWED} reach the core; the client-side ones of Avatica's drivers
 * (url, serialization, credentials, TLS trust store...) are dropped; every
 * other property that Calcite or mmapsql would act on ({@code model},
 * {@code schemaFactory}, {@code parserFactory}, {@code fun}, {@code maxMappings},
 * {@code allowedDirectories}, class names...) is refused with an error, and any
 * other unknown name is dropped. {@link PackedBlock#PROPERTY} is the server's
 * own: it says which frames the client reads ({@link #packedFrames}) and does
 * not reach the core.
 */
public final class ClientProperties {
  /** The properties a client may set, by their canonical name. */
  public static final List<String> ALLOWED = List.of("timeZone", "locale", "durability");

  /** mmapsql's own properties that only the server sets. */
  private static final List<String> SERVER_ONLY = List.of(
      "dataDir", "maxMappings", "allowedDirectories", "readonly", "maxSortRows");

  private static final Map<String, String> ALLOWED_BY_KEY = new LinkedHashMap<>();
  private static final Set<String> FORBIDDEN = new TreeSet<>();
  private static final Set<String> CLIENT_SIDE = new TreeSet<>();

  static {
    for (String a : ALLOWED) {
      ALLOWED_BY_KEY.put(key(a), a);
    }
    for (CalciteConnectionProperty p : CalciteConnectionProperty.values()) {
      FORBIDDEN.add(key(p.camelName()));
      FORBIDDEN.add(key(p.name()));
    }
    for (String s : SERVER_ONLY) {
      FORBIDDEN.add(key(s));
    }
    for (BuiltInConnectionProperty p : BuiltInConnectionProperty.values()) {
      CLIENT_SIDE.add(key(p.camelName()));
    }
    for (AvaticaRemoteConnectionProperty p : AvaticaRemoteConnectionProperty.values()) {
      CLIENT_SIDE.add(key(p.camelName()));
    }
    CLIENT_SIDE.add("user");
    CLIENT_SIDE.add("password");
  }

  private ClientProperties() {
  }

  /** Compares property names the way a lenient reader would: case, '_', '.' and '-' ignored. */
  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT).replace("_", "").replace(".", "").replace("-", "");
  }

  /**
   * The properties of {@code info} that may reach the core, under their
   * canonical names.
   *
   * @throws IllegalArgumentException naming the first property a client may not set
   */
  public static Map<String, String> filter(Map<String, String> info) {
    Map<String, String> out = new LinkedHashMap<>();
    if (info == null) {
      return out;
    }
    for (Map.Entry<String, String> e : info.entrySet()) {
      String k = key(e.getKey());
      String allowed = ALLOWED_BY_KEY.get(k);
      if (allowed != null) {
        out.put(allowed, e.getValue());
      } else if (CLIENT_SIDE.contains(k)) {
        continue;
      } else if (FORBIDDEN.contains(k) || looksLikeAClass(e.getKey(), e.getValue())) {
        throw new IllegalArgumentException("connection property '" + e.getKey()
            + "' cannot be set by a client of the mmapsql server; a client may set only "
            + String.join(", ", ALLOWED));
      }
      // anything else is unknown to the core and to Calcite: dropped
    }
    return out;
  }

  /**
   * Whether the client of {@code info} reads packed frames ({@code mmapsql.frames=packed},
   * which mmapsql's driver sends); {@code rows} or nothing is Avatica's frames.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static boolean packedFrames(Map<String, String> info) {
    if (info == null) {
      return false;
    }
    for (Map.Entry<String, String> e : info.entrySet()) {
      if (key(e.getKey()).equals(key(PackedBlock.PROPERTY))) {
        String v = String.valueOf(e.getValue()).trim().toLowerCase(Locale.ROOT);
        if (!v.equals(PackedBlock.PACKED) && !v.equals(PackedBlock.ROWS)) {
          throw new IllegalArgumentException("connection property '" + e.getKey() + "' is '" + e.getValue()
              + "'; it may be " + PackedBlock.PACKED + " or " + PackedBlock.ROWS);
        }
        return v.equals(PackedBlock.PACKED);
      }
    }
    return false;
  }

  private static boolean looksLikeAClass(String name, String value) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("factory") || n.contains("class") || n.endsWith("impl")
        || (value != null && value.matches("([a-zA-Z_$][\\w$]*\\.){2,}[A-Z][\\w$]*(#\\w+)?"));
  }
}
