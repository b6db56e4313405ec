package io.finitewidth.network;

/**
 * One two-layer network's training state in pre-activation space, in one floating-point
 * precision ({@link PreactivationDynamics64}, {@link PreactivationDynamics32}). A step is
 * {@link #forward}, optionally {@link #record}, then {@link #update}.
 */
interface PreactivationDynamics {

  /** A fresh network: pre-activations h_i(x_k) point-major (M × N) and readouts w_i. */
  void start(double[] preactivations, double[] readouts);

  /** φ, outputs and errors; on every point when the step is recorded, else on training points. */
  void forward(boolean allPoints);

  /** One gradient step from the state of the last forward. */
  void update();

  /** The observables of the last forward(true). */
  void record(PreactivationEnsemble.Recorder out);

  /** The readouts w_i now. */
  double[] readouts();

  /** Σ over past steps of g_iμ = w_i φ'(h_iμ) Δ_μ, row-major P × N. */
  double[] summedSignals();
}
