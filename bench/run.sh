#!/usr/bin/env bash
# The performance suite: every workload of the performance issue on mmapsql (embedded and remote),
# H2, DuckDB, a reference Avatica server over H2 and the plain Java loops, one JVM each, same data;
# prints the table of times and ratios (about 7 minutes on 2 cores with the defaults; `--rows 1000000` is quicker).
# Usage: bench/run.sh [--rows N] [--warm S] [--measure S] [--engines MMAPSQL,H2,...]
# Build first: ./mvnw -B -q -pl bench -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")"
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
  export PATH="$JAVA_HOME/bin:$PATH"
fi
DATA="${MMAPSQL_BENCH_DIR:-${TMPDIR:-/tmp}/mmapsql-bench}"
# Jars only on the class path: JDK 25's AOT cache (the first-query rows) refuses directories.
JAR="$(ls target/mmapsql-bench-*.jar | grep -v -e sources -e javadoc | head -1)"
java -Dmmapsql.bench.dir="$DATA" -cp "$PWD/$JAR:$(cat target/classpath.txt)" \
  org.mmapsql.bench.Suite --out target/suite.md "$@"
