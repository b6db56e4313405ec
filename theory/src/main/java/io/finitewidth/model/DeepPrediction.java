package io.finitewidth.model;

/**
 * A deep-network theory on its time grid, laid out by {@link DeepLayout}: {@code mean[r][k]} is
 * the infinite-width mean of slot k at recorded step r and {@code nvar[r][k]} the predicted
 * N·Var (NaN where the theory makes no prediction; never a fake value).
 *
 * @param method how the values were obtained, e.g. {@code deep_linear_exact}
 */
public record DeepPrediction(DeepLayout layout, TimeGrid grid, double[][] mean, double[][] nvar,
    String method) implements java.io.Serializable {}
