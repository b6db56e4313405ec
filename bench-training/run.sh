#!/usr/bin/env bash
# Throughput of the product's two-layer ensemble trainer beside the NumPy peer, in one run.
#
#   bench-training/run.sh            full grid (see README.md for the trimmed cells)
#   QUICK=1 bench-training/run.sh    D=32 and N ≤ 1024 only, 1 rep (smoke test)
#   JMH=0 ...                        skip the JMH micro-benchmarks
#
# Every measurement runs single-threaded (one BLAS/OpenMP thread, as a Spark executor task does by
# default), so throughput is per task slot and the GEMM peak is one core's. Results go to
# bench-training/results/<timestamp>/ (raw CSV, logs, summary.md).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 FINITE_WIDTH_BLAS_THREADS=1
STEPS="${STEPS:-10}"
REPS="${REPS:-3}"
QUICK="${QUICK:-0}"
JMH="${JMH:-1}"
GEMM_N="${GEMM_N:-2048}"

mvn -B -q -o package -DskipTests -pl bench-training -am
# shellcheck source=env.sh
. "$HERE/env.sh"

OUT="$HERE/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RAW="$OUT/raw.csv"
load() { cut -d' ' -f1 /proc/loadavg; }
{
  echo "# date: $(date -Is)"
  echo "# cpu: $(lscpu | sed -n 's/^Model name: *//p') x $(getconf _NPROCESSORS_ONLN) logical CPUs"
  echo "# java: $(java -version 2>&1 | head -1)"
  echo "# numpy: $(python3 -c 'import numpy; print(numpy.__version__)')"
  echo "# steps=$STEPS reps=$REPS threads=1"
} | tee "$OUT/machine.txt"

echo "# kind,impl,...,load1" > "$RAW"
for t in float double; do
  bench_java io.finitewidth.network.TrainingBench gemm "$GEMM_N" "$t" 5 | sed "s/$/,$(load)/" | tee -a "$RAW"
  python3 "$HERE/peer/ensemble_numpy.py" gemm "$GEMM_N" "$t" 5 | sed "s/$/,$(load)/" | tee -a "$RAW"
done

dims="32 784"; widths="256 1024 4096"; ensembles="64 256"; reps="$REPS"
if [ "$QUICK" = 1 ]; then dims="32"; widths="256 1024"; reps=1; fi
for d in $dims; do
  for n in $widths; do
    for e in $ensembles; do
      # Trimmed: at D=784 and N ≥ 1024, E=256 is four back-to-back blocks of 64, each the E=64
      # workload, and costs 4× the time (see README.md).
      if [ "$d" = 784 ] && [ "$n" -ge 1024 ] && [ "$e" = 256 ]; then continue; fi
      for t in float double; do
        l=$(load)
        bench_java io.finitewidth.network.TrainingBench "$d" "$n" "$e" "$t" "$STEPS" "$reps" \
          > "$OUT/java-$d-$n-$e-$t.log"
        grep '^java' "$OUT/java-$d-$n-$e-$t.log" | sed "s/^/run,/; s/$/,$l/" | tee -a "$RAW"
        l=$(load)
        python3 "$HERE/peer/ensemble_numpy.py" train "$d" "$n" "$e" "${t/double/float64}" \
          "$STEPS" "$reps" > "$OUT/numpy-$d-$n-$e-$t.log"
        grep '^numpy' "$OUT/numpy-$d-$n-$e-$t.log" | sed "s/^/run,/; s/$/,$l/" | tee -a "$RAW"
      done
    done
  done
done

python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"

if [ "$JMH" = 1 ]; then
  widths_csv=256,1024,4096
  [ "$QUICK" = 1 ] && widths_csv=256,1024
  java $JFLAGS -cp "$CP" org.openjdk.jmh.Main TrainerBenchmark -p width="$widths_csv" \
    -jvmArgsAppend "$JFLAGS" -rf csv -rff "$OUT/jmh.csv" 2>&1 | grep -v INFO | tee "$OUT/jmh.log" \
    | sed -n '/^Benchmark/,$p'
fi
echo "results in $OUT"
