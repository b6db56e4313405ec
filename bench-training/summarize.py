"""Builds the summary table of one run.sh results folder: per workload, the median throughput
of the product's trainer and of the NumPy peer, their ratio, and each one's GFLOP/s beside the
single-thread GEMM peak measured in the same run (the larger of ND4J's and NumPy's)."""
import csv
import glob
import os
import re
import sys

out = sys.argv[1]
peak = {}
gemm_rows = []
runs = {}
for row in csv.reader(open(os.path.join(out, 'raw.csv'))):
    if not row or row[0].startswith('#'):
        continue
    if row[0] == 'gemm':
        _, impl, n, t, reps, median, gflops, load = row
        gemm_rows.append((impl, t, float(gflops), load))
        peak[t] = max(peak.get(t, 0.0), float(gflops))
    elif row[0] == 'run':
        (_, impl, d, n, e, t, steps, reps, median, best, thr, gflop, gflops, init, load) = row
        t = 'float' if t in ('float', 'float32') else 'double'
        runs[(int(d), int(n), int(e), t, impl)] = dict(
            median=float(median), thr=float(thr), gflops=float(gflops), load=load, reps=reps)

print('GEMM peak (one thread, %s):' % os.path.basename(out))
print()
print('| library | precision | GFLOP/s | load1 |')
print('|---|---|---:|---:|')
for impl, t, g, load in gemm_rows:
    print('| %s | %s | %.1f | %s |' % ('ND4J/OpenBLAS' if impl == 'java' else 'NumPy/OpenBLAS',
                                       t, g, load))
print()
print('| D | N | E | dtype | product net·steps/s | NumPy net·steps/s | ratio | product GFLOP/s '
      '(% peak) | NumPy GFLOP/s (% peak) | load1 (product/NumPy) |')
print('|---:|---:|---:|---|---:|---:|---:|---:|---:|---|')
for key in sorted({k[:4] for k in runs}):
    j = runs.get(key + ('java',))
    p = runs.get(key + ('numpy',))
    if not j or not p:
        continue
    d, n, e, t = key
    pk = peak.get(t, float('nan'))
    print('| %d | %d | %d | %s | %.1f | %.1f | %.2f | %.2f (%.0f%%) | %.2f (%.0f%%) | %s / %s |' % (
        d, n, e, t, j['thr'], p['thr'], j['thr'] / p['thr'], j['gflops'], 100 * j['gflops'] / pk,
        p['gflops'], 100 * p['gflops'] / pk, j['load'], p['load']))
print()
print('Peak memory per process (one block of at most 64 networks is one executor task):')
print()
for log in sorted(glob.glob(os.path.join(out, '*-784-4096-64-*.log'))):
    for line in open(log):
        if line.startswith('# memory'):
            print('- %s: %s' % (os.path.basename(log)[:-4], line[len('# memory: '):].strip()))
