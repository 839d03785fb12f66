#!/usr/bin/env bash
# Runs the JMH benchmarks once (about 7 minutes on 2 cores) and prints the ratios.
# Usage: bench/jmh.sh [extra JMH options or a benchmark regex]   (build first, see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")"
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
  export PATH="$JAVA_HOME/bin:$PATH"
fi
DATA="${MMAPSQL_BENCH_DIR:-${TMPDIR:-/tmp}/mmapsql-bench}"
java --sun-misc-unsafe-memory-access=allow -Dmmapsql.bench.dir="$DATA" \
  -jar target/benchmarks.jar -f 1 -wi 2 -i 3 -w 2s -r 2s \
  -rf csv -rff target/results.csv "$@" | tee target/results.txt
java -cp target/benchmarks.jar org.mmapsql.bench.Ratios target/results.csv | tee target/ratios.md
