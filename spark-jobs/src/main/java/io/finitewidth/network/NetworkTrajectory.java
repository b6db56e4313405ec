package io.finitewidth.network;

/**
 * What one network recorded: for each recorded step r, the flat vector of observables laid out by
 * {@link RecordedSlots} ({@code observables[r][k]}): the ObservableLayout's entries, then the
 * sharpness and η times it.
 *
 * @param networkIndex index of the network within its cell's ensemble
 * @param seed the network seed its initial weights were drawn from
 * @param divergedAtStep the first recorded step at which some observable was NaN or infinite,
 *     or −1 if the network stayed finite; a diverged network is excluded from every moment
 */
public record NetworkTrajectory(int networkIndex, long seed, double[][] observables,
    int divergedAtStep) implements java.io.Serializable {

  public boolean diverged() {
    return divergedAtStep >= 0;
  }
}
