#!/usr/bin/env bash
# Runs the JMH benchmarks of bench/target/benchmarks.jar on a JDK 21+, with -foe true (a failing
# benchmark, for example a failed correctness check in @Setup, fails the run); every other argument
# is passed on to JMH. Examples:
#   bench/run.sh GemmBenchmark                                  # everything (long)
#   bench/run.sh GemmBenchmark -p shape=sq-256,fwd-784x256-b32  # some shapes, all three impls
#   bench/run.sh -h                                             # JMH's options
#
# Before the benchmarks it runs the two probes every result is read against (skip them with
# --no-probes): FmaPeakBenchmark, the FMA peak P of one core at each vector width, and
# WeightStreamBenchmark, the time to read the benchmark model's weights once (the floor of
# one-example latency).
#
# OpenBLAS at its best: some machines set OPENBLAS_CORETYPE=Haswell (and OPENBLAS_L2_SIZE), which
# hold OpenBLAS to AVX2 kernels on an AVX-512 CPU. This script unsets both for the benchmark JVMs
# only, and GemmBenchmark fails when OpenBLAS still chose a core without AVX-512 on a CPU that has
# it; --allow-core measures the handicapped OpenBLAS on purpose (every check line then says so).
#
# --interleaved runs io.backlane.bench.Interleaved instead of JMH: backlane and its peer in
# alternating turns in one JVM, for ratios near 1 on a shared machine, e.g.
#   bench/run.sh --no-probes --interleaved gemm sq-512,dA-784x256-b1024
#   bench/run.sh --no-probes --interleaved predict 64
#
# Pinning: the JVM and its forks run on the CPUs in BENCH_CPUS (taskset -c), by default the last
# CPU, so that a build or the shell on CPU 0 disturbs less; BENCH_CPUS=all pins nothing (needed for
# the threads parameter of TrainStepBenchmark).
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

probes=1
interleaved=0
args=()
for arg in "$@"; do
  case "$arg" in
    --allow-core) export BACKLANE_ALLOW_CORE=1 ;;
    --no-probes) probes=0 ;;
    --interleaved) interleaved=1 ;;
    *) args+=("$arg") ;;
  esac
done

# OpenBLAS is also set to one thread in the benchmark's @Setup (and checked there); with this it does
# not even start its thread pool, which would otherwise idle beside the other implementations.
export OPENBLAS_NUM_THREADS=1
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
if [[ -n "${BACKLANE_ALLOW_CORE:-}" ]]; then
  echo "run.sh: --allow-core: OpenBLAS may run on a core without AVX-512 kernels (not at its best)" >&2
fi

cpus="${BENCH_CPUS:-$(( $(nproc) - 1 ))}"
pin=()
if [[ "$cpus" != "all" ]] && command -v taskset > /dev/null; then
  pin=(taskset -c "$cpus")
fi
echo "run.sh: CPU $(lscpu | sed -n 's/^Model name: *//p'), family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p'); pinned to CPUs ${cpus}" >&2

if [[ "$probes" == 1 ]]; then
  echo "run.sh: probes (FMA peak, weight stream); skip with --no-probes" >&2
  "${pin[@]}" "$java" -jar "$jar" -foe true 'FmaPeakBenchmark|WeightStreamBenchmark'
fi
if [[ "$interleaved" == 1 ]]; then # backlane and a peer in alternating turns: io.backlane.bench.Interleaved
  exec "${pin[@]}" "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$jar" \
    io.backlane.bench.Interleaved "${args[@]}"
fi
exec "${pin[@]}" "$java" -jar "$jar" -foe true "${args[@]}"
