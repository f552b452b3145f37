#!/usr/bin/env bash
# The measurement of spark/README.md's table: builds the library and this project, then runs
# io.backlane.spark.Measure (src/test) on the newest JDK 21+ under /usr/lib/jvm (or $JAVA_HOME), with
# the JVM options Spark needs. Arguments: epochs for digits and for Fashion-MNIST (default 20 and 5).
# Run it on an otherwise idle machine; it prints the table's rows as Markdown.
set -euo pipefail
cd "$(dirname "$0")"

(cd .. && mvn -q install -DskipTests)
mvn -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/measure.classpath

java_major() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2> /dev/null || true   # no release file: nothing
}
java_home=""
if [[ -n "${JAVA_HOME:-}" && "$(java_major "$JAVA_HOME")" -ge 21 ]]; then
  java_home="$JAVA_HOME"
else
  best=0
  for home in /usr/lib/jvm/*/; do
    home="${home%/}"
    major="$(java_major "$home")"
    [[ -x "$home/bin/java" && -n "$major" ]] || continue
    if ((major >= 21 && major > best)); then
      java_home="$home" best="$major"
    fi
  done
fi
[[ -n "$java_home" ]] || { echo "measure.sh: no JDK 21 or later (JAVA_HOME or /usr/lib/jvm)" >&2; exit 1; }

# The pom's own list of JVM options (Spark's module openings plus the vector module).
# (Maven may wrap its output in colour codes even in batch mode: stripped.)
options="$(mvn -q -B help:evaluate -Dexpression=spark.module.options -DforceStdout | sed 's/\x1b\[[0-9;]*m//g' | tr -s ' \n' ' ')"
# shellcheck disable=SC2086  # the options are words
exec "$java_home/bin/java" $options -Xmx8g \
  -cp "target/test-classes:target/classes:$(cat target/measure.classpath)" io.backlane.spark.Measure "$@"
