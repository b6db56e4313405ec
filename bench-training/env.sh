# Sourced by run.sh and the helper commands: class path and JVM flags of the bench JVMs.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CP="$ROOT/bench-training/target/classes:$(cat "$ROOT/bench-training/target/bench-classpath.txt")"
JFLAGS="$(sed -n 's/.*<spark.jvm.flags>\(.*\)<\/spark.jvm.flags>.*/\1/p' "$ROOT/pom.xml")"
# BENCH_XMX: the heap limit of the bench JVMs (default 6g).
bench_java() { java -Xmx"${BENCH_XMX:-6g}" -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G $JFLAGS -cp "$CP" "$@" 2> >(grep -v 'INFO\|^\s*$\|incubator modules' >&2); }
