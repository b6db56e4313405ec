package io.finitewidth.job;

import io.finitewidth.stats.CentralMoments;
import io.finitewidth.sweep.Canonical;
import io.finitewidth.sweep.Cell;
import io.finitewidth.sweep.SeedBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The finished seed blocks of a sweep, kept in its output directory so that sweeps resume: a
 * block whose moments file exists is never trained again. Files live under
 * {@code blocks/<cell hash>/block-<first>-<count>.moments}, where the cell hash is the SHA-256 of
 * the cell's key (everything that fixes its networks' trajectories), so a block is reused only
 * by the very same cell with the very same networks. Each file is written under a temporary name
 * and renamed, so a half-written block is never read.
 */
final class BlockStore {
  static final String FOLDER = "blocks";
  private static final int MAGIC = 0x46574231; // "FWB1"

  private final FileSystem fs;
  private final Path root;

  BlockStore(FileSystem fs, Path outputRoot) {
    this.fs = fs;
    this.root = new Path(outputRoot, FOLDER);
  }

  /** The short stable name of a cell on disk (also its networks/ partition value). */
  static String cellHash(Cell cell) {
    return Canonical.sha256Hex(cell.key()).substring(0, 16);
  }

  private Path file(Cell cell, SeedBlock block) {
    return new Path(new Path(root, cellHash(cell)),
        "block-" + block.firstNetwork() + "-" + block.count() + ".moments");
  }

  boolean has(Cell cell, SeedBlock block) throws IOException {
    return fs.exists(file(cell, block));
  }

  /** A finished block's moments and diverged count. */
  BlockResult.BlockMoments read(Cell cell, SeedBlock block) throws IOException {
    try (DataInputStream in = new DataInputStream(fs.open(file(cell, block)))) {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a block moments file: " + file(cell, block));
      }
      int diverged = in.readInt();
      CentralMoments moments = CentralMoments.readFrom(in);
      return new BlockResult.BlockMoments(cell.index(), block.blockIndex(), moments, diverged);
    }
  }

  /** Marks a block finished; call only after its networks rows are in place. */
  void write(Cell cell, SeedBlock block, BlockResult.BlockMoments result) throws IOException {
    Path target = file(cell, block);
    Path temporary = new Path(target.getParent(), "." + target.getName() + ".tmp");
    try (DataOutputStream out = new DataOutputStream(fs.create(temporary, true))) {
      out.writeInt(MAGIC);
      out.writeInt(result.diverged());
      result.moments().writeTo(out);
    }
    fs.delete(target, false);
    if (!fs.rename(temporary, target)) {
      throw new IOException("could not move " + temporary + " to " + target);
    }
  }
}
