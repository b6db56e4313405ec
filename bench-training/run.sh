#!/usr/bin/env bash
# Throughput of the product's two-layer trainer beside the NumPy peer, in one run, with the
# whole machine for both.
#
#   bench-training/run.sh            full grid (D=784, N=4096, E=256: product only, see TRIM)
#   QUICK=1 bench-training/run.sh    D=32 and N ≤ 1024 only, 1 rep (smoke test)
#   JMH=0 ...                        skip the JMH micro-benchmarks
#   JMH_WEIGHTS=1 ...                JMH also of the old weight-space engine
#   TRIM=0 ...                       also run NumPy and the weights engine at D=784, N=4096, E=256
#
# Product (engine `preactivation`, the default trainer): T = nproc threads, each one BLAS thread,
# the ensemble in blocks of 16 networks taken by the threads like Spark local[*] tasks.
# NumPy: OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=nproc. Weights engine (old TwoLayerEnsemble):
# single task, one BLAS thread, blocks of 64, as before. GEMM peaks: 1 thread and nproc threads,
# ND4J and NumPy. Results go to bench-training/results/<timestamp>/ (raw CSV, logs, summary.md).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
NPROC="$(nproc)"
# Product JVMs: one BLAS thread per task (what NativeThreads does on an executor by default).
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 FINITE_WIDTH_BLAS_THREADS=1
STEPS="${STEPS:-10}"
REPS="${REPS:-3}"
QUICK="${QUICK:-0}"
JMH="${JMH:-1}"
JMH_WEIGHTS="${JMH_WEIGHTS:-0}"
TRIM="${TRIM:-1}"
GEMM_N="${GEMM_N:-2048}"
GEMM_REPS="${GEMM_REPS:-9}"
BLOCK="${BLOCK:-16}"

mvn -B -q -o package -DskipTests -pl bench-training -am
# shellcheck source=env.sh
. "$HERE/env.sh"

OUT="$HERE/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RAW="$OUT/raw.csv"
load() { cut -d' ' -f1 /proc/loadavg; }
with_threads() { # with_threads N cmd...: BLAS/OpenMP thread count N for one command
  local n="$1"; shift
  OPENBLAS_NUM_THREADS="$n" OMP_NUM_THREADS="$n" MKL_NUM_THREADS="$n" \
    FINITE_WIDTH_BLAS_THREADS="$n" "$@"
}
{
  echo "# date: $(date -Is)"
  echo "# cpu: $(lscpu | sed -n 's/^Model name: *//p') x $NPROC logical CPUs"
  echo "# java: $(java -version 2>&1 | head -1)"
  echo "# numpy: $(python3 -c 'import numpy; print(numpy.__version__)')"
  echo "# steps=$STEPS reps=$REPS product: threads=$NPROC block=$BLOCK (1 BLAS thread each);"\
       "numpy: BLAS threads=$NPROC block=64; weights engine: 1 thread block=64"
  echo "# load at start: $(cat /proc/loadavg)"
} | tee "$OUT/machine.txt"

echo "# kind,impl,...,load1" > "$RAW"
for t in float double; do
  for th in 1 "$NPROC"; do
    with_threads "$th" bench_java io.finitewidth.network.TrainingBench gemm "$GEMM_N" "$t" \
      "$GEMM_REPS" | sed "s/$/,$(load)/" | tee -a "$RAW"
    with_threads "$th" python3 "$HERE/peer/ensemble_numpy.py" gemm "$GEMM_N" "$t" "$GEMM_REPS" \
      | sed "s/$/,$(load)/" | tee -a "$RAW"
  done
done

dims="32 784"; widths="256 1024 4096"; ensembles="64 256"; reps="$REPS"
if [ "$QUICK" = 1 ]; then dims="32"; widths="256 1024"; reps=1; fi
for d in $dims; do
  for n in $widths; do
    for e in $ensembles; do
      for t in float double; do
        tag="$d-$n-$e-$t"
        l=$(load)
        bench_java io.finitewidth.network.TrainingBench "$d" "$n" "$e" "$t" "$STEPS" "$reps" \
          engine=preactivation threads="$NPROC" block="$BLOCK" > "$OUT/java-$tag.log"
        grep '^java,' "$OUT/java-$tag.log" | sed "s/^/run,/; s/$/,$l/" | tee -a "$RAW"
        # Trimmed (TRIM=1): at D=784, N=4096, E=256 NumPy and the weights engine would take
        # about 13 min together; E=256 is four blocks of 64 each, the E=64 workload four times.
        if [ "$TRIM" = 1 ] && [ "$d" = 784 ] && [ "$n" = 4096 ] && [ "$e" = 256 ]; then continue; fi
        l=$(load)
        with_threads "$NPROC" python3 "$HERE/peer/ensemble_numpy.py" train "$d" "$n" "$e" \
          "${t/double/float64}" "$STEPS" "$reps" > "$OUT/numpy-$tag.log"
        grep '^numpy' "$OUT/numpy-$tag.log" | sed "s/^/run,/; s/$/,$l/" | tee -a "$RAW"
        l=$(load)
        bench_java io.finitewidth.network.TrainingBench "$d" "$n" "$e" "$t" "$STEPS" "$reps" \
          engine=weights > "$OUT/weights-$tag.log"
        grep '^java-weights' "$OUT/weights-$tag.log" | sed "s/^/run,/; s/$/,$l/" | tee -a "$RAW"
      done
    done
  done
done

# Memory of one executor task on the largest workload: one block (16 networks), one thread, in
# the default heap and in a 256 MiB heap (does a task fit in it?).
if [ "$QUICK" != 1 ]; then
  for t in float double; do
    bench_java io.finitewidth.network.TrainingBench 784 4096 "$BLOCK" "$t" "$STEPS" 1 \
      threads=1 block="$BLOCK" > "$OUT/memory-784-4096-$BLOCK-$t.log"
    BENCH_XMX=256m bench_java io.finitewidth.network.TrainingBench 784 4096 "$BLOCK" "$t" \
      "$STEPS" 1 threads=1 block="$BLOCK" > "$OUT/memory-784-4096-$BLOCK-$t-xmx256m.log"
  done
fi

python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"

if [ "$JMH" = 1 ]; then
  widths_csv=256,1024,4096
  [ "$QUICK" = 1 ] && widths_csv=256,1024
  engines=preactivation
  [ "$JMH_WEIGHTS" = 1 ] && engines=preactivation,weights
  echo "# JMH load at start: $(cat /proc/loadavg)" > "$OUT/jmh.log"
  java $JFLAGS -cp "$CP" org.openjdk.jmh.Main TrainerBenchmark -p width="$widths_csv" \
    -p engine="$engines" -jvmArgsAppend "$JFLAGS" -rf csv -rff "$OUT/jmh.csv" 2>&1 \
    | grep -v INFO | tee -a "$OUT/jmh.log" | sed -n '/^Benchmark/,$p'
  echo "# JMH load at end: $(cat /proc/loadavg)" >> "$OUT/jmh.log"
fi
echo "results in $OUT"
