"""Aggregates `jfr print --stack-depth 64` output: samples per trainer line and per top frame."""
import collections
import re
import sys

text = open(sys.argv[1]).read()
by_line = collections.Counter()
by_top = collections.Counter()
total = 0
for event in text.split('jdk.')[1:]:
    frames = re.findall(r'^\s+([\w.$<>]+)\(.*?line: (\d+)', event, re.M)
    if not frames:
        continue
    total += 1
    top = frames[0][0].rsplit('.', 2)
    for name, line in frames:
        if 'TwoLayerEnsemble' in name:
            by_line['.'.join(top[-2:]) + ' <- ' + name.rsplit('.', 1)[-1] + ':' + line] += 1
            break
    else:
        by_line['(outside trainer) ' + '.'.join(top[-2:])] += 1
print('samples', total)
for key, n in by_line.most_common(int(sys.argv[2]) if len(sys.argv) > 2 else 25):
    print('%5d %5.1f%%  %s' % (n, 100.0 * n / total, key))
