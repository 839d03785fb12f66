import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Build step: copies a jar whose class files are older than Java 6 (picocli's are Java 5) with
 * each class rewritten as a Java 8 class file, with the stack map frames Java 5 had no place for.
 * The code is the same, instruction for instruction; only the class file version and the frames
 * change. Why: JDK 25's AOT cache leaves out classes that need the old verifier, so without this
 * bin/mmapsql loads, parses and verifies picocli's 176 classes from their jar on every start
 * (about 120 ms of CPU before the prompt). ASM refuses code it cannot give frames (JSR/RET),
 * which fails the build rather than make a jar the JVM would reject.
 *
 * <p>Usage: {@code java ClassFileUpgrade.java IN.jar OUT.jar} with ASM on the class path.
 */
public final class ClassFileUpgrade {
  private ClassFileUpgrade() {
  }

  public static void main(String[] args) throws IOException {
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {in.toUri().toURL()});
         ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
         OutputStream os = Files.newOutputStream(tmp);
         ZipOutputStream zout = new ZipOutputStream(os)) {
      for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
        byte[] bytes = zin.readAllBytes();
        if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
          bytes = upgrade(bytes, loader);
        }
        ZipEntry copy = new ZipEntry(e.getName());
        copy.setTime(e.getTime());
        zout.putNextEntry(copy);
        zout.write(bytes);
      }
    }
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
  }

  private static byte[] upgrade(byte[] bytes, ClassLoader loader) {
    ClassReader reader = new ClassReader(bytes);
    if (reader.readShort(6) >= Opcodes.V1_8) {
      return bytes;
    }
    // Frames need the common super class of two types: look them up in the jar itself.
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
      @Override protected ClassLoader getClassLoader() {
        return loader;
      }
    };
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override public void visit(int version, int access, String name, String signature, String superName,
          String[] interfaces) {
        super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
      }
    }, ClassReader.SKIP_FRAMES);
    return writer.toByteArray();
  }
}
