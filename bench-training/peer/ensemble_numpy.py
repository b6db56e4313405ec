"""NumPy peer of io.finitewidth.network.TwoLayerEnsemble: the same two-layer mean-field ensemble
training and the same recorded observables, batched over a block of networks.

Model: f(x) = (1/(g0 N)) sum_i w_i phi(w0_i . x / sqrt(D)), square loss (c/2) sum_mu delta_mu^2
with c = 1/P, eta = c dt, and from the state before each step
    w  += eta g0 sum_mu delta_mu phi(h_i mu)
    w0 += (eta g0 / sqrt(D)) sum_mu delta_mu w_i phi'(h_i mu) x_mu
Recorded at step 0 and every `every` steps (and the last): loss, predictions on train and test
points, NTK K = Phi + G o Kx, Phi, G (all P+Q points) and the largest train-NTK eigenvalue.

Every array stays in the chosen dtype: scalars are cast to it before they meet an array (a NumPy
float64 scalar such as np.sqrt(D) would otherwise promote float32 arrays to float64).

Usage:
  python3 ensemble_numpy.py train D N E float32|float64 STEPS REPS
  python3 ensemble_numpy.py gemm SIZE float32|float64 REPS
Prints CSV lines in the format of the Java TrainingBench. Threads: as many BLAS threads as
OPENBLAS_NUM_THREADS says (run.sh: all CPUs).
"""
import resource
import sys
import time

import numpy as np

P = 16
Q = 16
BLOCK = 64
EVERY = 10


def task(dim):
    """The points of Workloads.benchTask: x[a, d] = sin(0.37 + 1.3 a + 0.71 d + 0.013 a d)."""
    a = np.arange(P + Q, dtype=np.float64)[:, None]
    d = np.arange(dim, dtype=np.float64)[None, :]
    x = np.sin(0.37 + 1.3 * a + 0.71 * d + 0.013 * a * d)
    y = np.tanh(2 * x[:, 0]) + 0.5 * x[:, 1 if dim > 1 else 0]
    return x, y


def record_steps(steps, every):
    count = steps // every + 1 + (0 if steps % every == 0 else 1)
    return [min(i * every, steps) for i in range(count)]


class Block:
    """B networks of width N, trained together in dtype `dt`."""

    def __init__(self, x, y, width, count, dtype, seed, gamma0=1.0, step=1.0):
        self.dtype = dtype
        dim = x.shape[1]
        self.width = width
        self.count = count
        c = 1.0 / P
        eta = c * step
        self.c = dtype(c)
        self.eta = eta
        sqrt_d = dtype(np.sqrt(dim))
        xs = x.astype(dtype)
        self.inputs_scaled_t = np.ascontiguousarray(xs.T) / sqrt_d          # (D, M)
        self.train_inputs = np.ascontiguousarray(xs[:P])                     # (P, D)
        self.targets = y[:P].astype(dtype)                                    # (P,)
        self.input_kernel = (xs @ xs.T) / dtype(dim)                         # (M, M)
        self.out_scale = dtype(1.0 / (gamma0 * width))
        self.readout_rate = dtype(eta * gamma0)
        self.input_rate = dtype(eta * gamma0 / np.sqrt(dim))
        rng = np.random.default_rng(seed)
        self.w0 = rng.standard_normal((count, width, dim), dtype=dtype)      # (B, N, D)
        self.w = rng.standard_normal((count, width), dtype=dtype)            # (B, N)

    def forward(self):
        pre = np.matmul(self.w0, self.inputs_scaled_t)                        # (B, N, M)
        self.phi = np.tanh(pre)
        self.dphi = 1 - self.phi * self.phi
        self.f = np.matmul(self.w[:, None, :], self.phi)[:, 0, :] * self.out_scale   # (B, M)
        self.delta = self.targets - self.f[:, :P]                             # (B, P)

    def record(self):
        width = self.width
        phi_t = np.swapaxes(self.phi, 1, 2)
        feature = np.matmul(phi_t, self.phi) / width                          # (B, M, M)
        grads = self.dphi * self.w[:, :, None]
        gradient = np.matmul(np.swapaxes(grads, 1, 2), grads) / width
        ntk = gradient * self.input_kernel + feature
        loss = 0.5 * self.c * np.sum(self.delta * self.delta, axis=1)
        sharpness = np.linalg.eigvalsh(ntk[:, :P, :P].astype(np.float64))[:, -1]
        iu = np.triu_indices(P)
        return (loss, self.f.copy(), ntk[:, iu[0], iu[1]], ntk[:, :P, P:].copy(),
                feature[:, iu[0], iu[1]], gradient[:, iu[0], iu[1]], sharpness,
                self.eta * sharpness)

    def update(self):
        readout_step = np.matmul(self.phi[:, :, :P], self.delta[:, :, None])[:, :, 0]
        backward = self.dphi[:, :, :P] * self.w[:, :, None] * self.delta[:, None, :]
        self.w0 += self.input_rate * np.matmul(backward, self.train_inputs)
        self.w += self.readout_rate * readout_step


def flops(dim, width, steps, records):
    """Matrix products only, 2 per multiply-add; the formula of TrainingBench.flops."""
    m = P + Q
    forward = 2.0 * width * dim * m + 2.0 * width * m
    update = 2.0 * width * P * dim + 2.0 * width * P
    record = 4.0 * width * m * m
    return (steps + 1) * forward + steps * update + records * record


def train(dim, width, ensemble, dtype_name, steps, reps):
    dtype = np.float32 if dtype_name in ('float', 'float32') else np.float64
    x, y = task(dim)
    grid = record_steps(steps, EVERY)
    warm = Block(x, y, min(width, 64), 2, dtype, 0)
    for _ in range(5):
        warm.forward()
        warm.record()
        warm.update()
    times = []
    check = [0.0] * 4
    init = 0.0
    for rep in range(reps):
        total = 0.0
        for first in range(0, ensemble, BLOCK):
            count = min(BLOCK, ensemble - first)
            t0 = time.perf_counter()
            block = Block(x, y, width, count, dtype, 1000003 * rep + first)
            t1 = time.perf_counter()
            init += t1 - t0
            recorded = []
            nxt = 0
            for step in range(steps + 1):
                block.forward()
                if nxt < len(grid) and grid[nxt] == step:
                    recorded.append(block.record())
                    nxt += 1
                if step == steps:
                    break
                block.update()
            total += time.perf_counter() - t1
            if rep == 0:
                last = recorded[-1]
                check[0] += float(np.sum(last[0])) / ensemble
                check[1] += float(np.sum(last[2][:, 0])) / ensemble
                check[2] += float(np.sum(last[4][:, 1])) / ensemble
                check[3] += float(np.sum(last[6])) / ensemble
            assert block.w0.dtype == dtype and block.phi.dtype == dtype and block.f.dtype == dtype
            del block
        times.append(total)
    times.sort()
    median = times[len(times) // 2]
    gflop = flops(dim, width, steps, len(grid)) * ensemble * 1e-9
    # The peer performs the nominal flops: actual = nominal. Then BLAS threads and block size.
    print('numpy,%d,%d,%d,%s,%d,%d,%.6f,%.6f,%.1f,%.3f,%.3f,%.3f,%.4f,%.3f,%s,%d' % (
        dim, width, ensemble, dtype_name, steps, reps, median, times[0],
        ensemble * steps / median, gflop, gflop / median, init / reps, gflop, gflop / median,
        blas_threads(), BLOCK))
    print('# check (rep 0, last record, ensemble means): loss %.6g K00 %.6g Phi01 %.6g '
          'sharpness %.6g' % tuple(check))
    print('# memory: rss_peak_MiB=%.1f' % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))


def gemm(n, dtype_name, reps):
    dtype = np.float32 if dtype_name in ('float', 'float32') else np.float64
    rng = np.random.default_rng(1)
    a = rng.random((n, n), dtype=dtype)
    b = rng.random((n, n), dtype=dtype)
    c = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=c)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]
    print('gemm,numpy,%d,%s,%d,%.6f,%.3f,%s' % (n, 'float' if dtype == np.float32 else 'double',
                                                reps, med, 2.0 * n ** 3 * 1e-9 / med,
                                                blas_threads()))


def blas_threads():
    """The BLAS thread count this process was started with (OPENBLAS_NUM_THREADS)."""
    import os
    return os.environ.get('OPENBLAS_NUM_THREADS', 'default')


if __name__ == '__main__':
    if sys.argv[1] == 'gemm':
        gemm(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    else:
        train(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5],
              int(sys.argv[6]), int(sys.argv[7]))
