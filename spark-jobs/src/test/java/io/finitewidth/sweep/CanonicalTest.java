package io.finitewidth.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CanonicalTest {
  @Test
  void decimalIsTheShortestRoundTrippingText() {
    assertEquals("0.05", Canonical.decimal(0.05));
    assertEquals("1", Canonical.decimal(1.0));
    assertEquals("0.1", Canonical.decimal(0.1));
    assertEquals("0.30000000000000004", Canonical.decimal(0.1 + 0.2));
    assertEquals("1E-7", Canonical.decimal(1e-7));
    assertEquals("1E+23", Canonical.decimal(1e23));
    assertEquals("-2.5", Canonical.decimal(-2.5));
    assertEquals("-1.25E-8", Canonical.decimal(-1.25e-8));
    assertEquals("0.001", Canonical.decimal(0.001));
    assertEquals("1E-4", Canonical.decimal(1e-4));
    assertEquals("2.5E+7", Canonical.decimal(2.5e7));
  }

  @Test
  void mix64MatchesTheSplitMix64ReferenceSequence() {
    // SplitMix64 seeded with 0 (state += golden gamma, then mix): first output, as published
    // with the reference C implementation by S. Vigna (prng.di.unimi.it/splitmix64.c).
    assertEquals(0xe220a8397b1dcdafL, Canonical.mix64(Canonical.GOLDEN_GAMMA));
  }
}
