"""Builds the summary tables of one run.sh results folder.

Per workload: the median throughput of the product's trainer (engine `preactivation`, whole
machine: T threads, blocks of 16), of the NumPy peer (BLAS on all CPUs) and of the old
weight-space engine (`java-weights`, one thread), their ratio, and GFLOP/s beside the GEMM peaks
measured in the same run: % of the whole-machine peak (all CPUs, the larger of ND4J's and
NumPy's for the precision) for the product and NumPy, % of the one-thread peak for the weights
engine. Then the cross-check means and the memory lines.
"""
import csv
import glob
import os
import re
import sys

out = sys.argv[1]
gemm_rows = []
peak = {}  # (threads, dtype) -> best GFLOP/s over libraries
runs = {}
for row in csv.reader(open(os.path.join(out, 'raw.csv'))):
    if not row or row[0].startswith('#'):
        continue
    if row[0] == 'gemm':
        _, impl, n, t, reps, median, gflops, threads, load = row
        gemm_rows.append((impl, t, int(threads), float(gflops), load))
        key = (int(threads), t)
        peak[key] = max(peak.get(key, 0.0), float(gflops))
    elif row[0] == 'run':
        (_, impl, d, n, e, t, steps, reps, median, best, thr, gflop, gflops, init, agflop, agflops,
         threads, block, load) = row
        t = 'float' if t in ('float', 'float32') else 'double'
        runs[(int(d), int(n), int(e), t, impl)] = dict(
            median=float(median), thr=float(thr), gflops=float(gflops), agflops=float(agflops),
            init=float(init), load=load, reps=reps, threads=threads, block=block)

whole = max(k[0] for k in peak) if peak else 0
print('GEMM peak (2048³, median of the reps; %s):' % os.path.basename(out))
print()
print('| library | precision | threads | GFLOP/s | load1 |')
print('|---|---|---:|---:|---:|')
for impl, t, threads, g, load in gemm_rows:
    print('| %s | %s | %d | %.1f | %s |' % ('ND4J/OpenBLAS' if impl == 'java' else 'NumPy/OpenBLAS',
                                           t, threads, g, load))
print()
print('Peaks used: whole machine (%d threads) = the larger of ND4J and NumPy per precision: '
      'float %.1f, double %.1f GFLOP/s; one thread: float %.1f, double %.1f GFLOP/s.' % (
          whole, peak.get((whole, 'float'), float('nan')), peak.get((whole, 'double'), float('nan')),
          peak.get((1, 'float'), float('nan')), peak.get((1, 'double'), float('nan'))))
print()


def cell(r, field, fmt):
    return fmt % r[field] if r else '–'


def pct(g, pk):
    return '%.0f%%' % (100 * g / pk) if pk else '?'


print('Throughput in networks·steps/s (median of the reps). ratio = product / NumPy. '
      '"nominal" GFLOP/s counts the weight-space algorithm\'s flops (what NumPy and the weights '
      'engine perform); "actual" counts what the pre-activation trainer performs. '
      '% wm = of the whole-machine peak of the precision, % 1t = of the one-thread peak.')
print()
print('| D | N | E | dtype | product | NumPy | ratio | product nominal GFLOP/s (% wm) '
      '| product actual GFLOP/s | NumPy GFLOP/s (% wm) | weights engine | weights GFLOP/s (% 1t) '
      '| load1 (product / NumPy / weights) |')
print('|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|')
keys = sorted({k[:4] for k in runs})
for key in keys:
    j = runs.get(key + ('java',))
    p = runs.get(key + ('numpy',))
    w = runs.get(key + ('java-weights',))
    d, n, e, t = key
    pw = peak.get((whole, t))
    p1 = peak.get((1, t))
    ratio = '%.1f' % (j['thr'] / p['thr']) if j and p else '–'
    print('| %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |' % (
        d, n, e, t, cell(j, 'thr', '%.1f'), cell(p, 'thr', '%.1f'), ratio,
        '%.2f (%s)' % (j['gflops'], pct(j['gflops'], pw)) if j else '–',
        cell(j, 'agflops', '%.2f'),
        '%.2f (%s)' % (p['gflops'], pct(p['gflops'], pw)) if p else '–',
        cell(w, 'thr', '%.1f'),
        '%.2f (%s)' % (w['gflops'], pct(w['gflops'], p1)) if w else '–',
        j['load'] if j else '–', p['load'] if p else '–', w['load'] if w else '–'))
print()


def checks(log):
    for line in open(log):
        if line.startswith('# check'):
            return [float(v) for v in re.findall(r'(?:loss|K00|Phi01|sharpness) (\S+)', line)]
    return None


print('Cross-check (rep 0, ensemble means at the last record; product and weights engine use '
      'the same seeds and initial weights, NumPy draws its own): loss and sharpness, '
      'product / weights / NumPy; product init_s = phase 1 (draw + project, whole machine).')
print()
print('| D | N | E | dtype | loss | sharpness | product init_s |')
print('|---:|---:|---:|---|---|---|---:|')
names = {'java': 'java', 'java-weights': 'weights', 'numpy': 'numpy'}
for key in keys:
    d, n, e, t = key
    vals = []
    for impl in ('java', 'java-weights', 'numpy'):
        log = os.path.join(out, '%s-%d-%d-%d-%s.log' % (names[impl], d, n, e, t))
        vals.append(checks(log) if os.path.exists(log) else None)
    fmt = lambda i: ' / '.join('%.5g' % v[i] if v else '–' for v in vals)
    j = runs.get(key + ('java',))
    print('| %d | %d | %d | %s | %s | %s | %s |' % (d, n, e, t, fmt(0), fmt(3),
                                                    cell(j, 'init', '%.2f')))
print()
print('Peak memory per process (`# memory` lines):')
print()
for log in sorted(set(glob.glob(os.path.join(out, 'memory-*.log')) +
                      glob.glob(os.path.join(out, '*-784-4096-*.log')))):
    for line in open(log):
        if line.startswith('# memory'):
            print('- %s: %s' % (os.path.basename(log)[:-4], line[len('# memory: '):].strip()))
