package io.finitewidth.network;

import io.finitewidth.model.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/** φ and φ′ of an {@link Activation} applied element-wise to whole ND4J arrays, in place. */
final class BatchedActivation {
  private BatchedActivation() {}

  /**
   * φ(pre) into {@code features} and φ'(pre) into {@code slopes} (φ' = 1 − tanh² for tanh, the
   * step function with φ'(0) = 0 for ReLU). Modified: features, slopes. Not modified: pre.
   */
  static void applyInto(Activation activation, INDArray pre, INDArray features,
      INDArray slopes) {
    switch (activation) {
      case LINEAR -> {
        features.assign(pre);
        slopes.assign(1.0);
      }
      case TANH -> {
        Nd4j.getExecutioner().exec(new Tanh(pre, features));
        features.mul(features, slopes);
        slopes.rsubi(1.0);
      }
      case RELU -> {
        Nd4j.getExecutioner().exec(new RectifiedLinear(pre, features, 0.0));
        Nd4j.getExecutioner().exec(new Step(pre, slopes, 0.0));
      }
      default -> throw new IllegalStateException("unhandled activation " + activation);
    }
  }
}
