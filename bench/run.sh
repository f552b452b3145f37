#!/usr/bin/env bash
# Runs the JMH benchmarks of bench/target/benchmarks.jar on a JDK 21+, with -foe true (a failing
# benchmark, for example a failed correctness check in @Setup, fails the run); every argument is
# passed on to JMH. Examples:
#   bench/run.sh GemmBenchmark                                  # everything (long)
#   bench/run.sh GemmBenchmark -p shape=sq-256,fwd-784x256-b32  # some shapes, all three impls
#   bench/run.sh -h                                             # JMH's options
#
# The default java may be older than 21, and JAVA_HOME is not trusted: like the build's
# maven-toolchains-plugin (select-jdk-toolchain, version [21,)), this looks for a JDK under
# /usr/lib/jvm and takes the newest one of version 21 or later. BENCH_JAVA=/path/to/bin/java
# overrides the choice. JMH starts its forks with the same java.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  echo "run.sh: $jar not found; build it first:" >&2
  echo "  mvn -q install -DskipTests && (cd bench && mvn -q package)   # at the repository root" >&2
  exit 1
fi

java="${BENCH_JAVA:-}"
if [[ -z "$java" ]]; then
  best=0
  for home in /usr/lib/jvm/*/; do
    home="${home%/}"
    [[ -x "$home/bin/java" && -f "$home/release" ]] || continue
    # JAVA_VERSION="25.0.3" -> 25; "1.8.0_412" -> 1 (too old either way).
    major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")"
    if [[ -n "$major" && "$major" -ge 21 && "$major" -gt "$best" ]]; then
      best="$major"
      java="$home/bin/java"
    fi
  done
  if [[ -z "$java" ]]; then
    echo "run.sh: no JDK 21 or later under /usr/lib/jvm; set BENCH_JAVA=/path/to/bin/java" >&2
    exit 1
  fi
fi
echo "run.sh: $java ($("$java" -version 2>&1 | head -n 1))" >&2

# OpenBLAS is also set to one thread in the benchmark's @Setup (and checked there); with this it does
# not even start its thread pool, which would otherwise idle beside the other implementations.
export OPENBLAS_NUM_THREADS=1

exec "$java" -jar "$jar" -foe true "$@"
