// Ground-truth ids to their positions in the sorted id list, looked up once per detection (3M lookups for a
// 1.5M-detection file): a dense table when the ids are small non-negative integers (LVIS: image ids < 600k,
// category ids 1-1203), a Map otherwise.

/** Ids up to this bound get a table (4 bytes per possible id: 64 MiB at most). */
const maxTableId = 1 << 24;

export class IdIndex {
  /** The ids, sorted ascending; position i is index i. */
  readonly ids: number[];
  private readonly table: Int32Array | undefined;
  private readonly map: Map<number, number> | undefined;

  constructor(ids: Iterable<number>) {
    this.ids = [...ids].sort((a, b) => a - b);
    const dense = this.ids.every((id) => Number.isInteger(id) && id >= 0 && id < maxTableId);
    if (dense) {
      this.table = new Int32Array((this.ids.at(-1) ?? -1) + 1).fill(-1);
      this.ids.forEach((id, index) => (this.table![id] = index));
    } else this.map = new Map(this.ids.map((id, index) => [id, index]));
  }

  get size(): number {
    return this.ids.length;
  }

  /** The id's index, or -1 when the ground truth does not have it. */
  indexOf(id: number): number {
    if (this.table !== undefined) {
      return Number.isInteger(id) && id >= 0 && id < this.table.length ? this.table[id]! : -1;
    }
    return this.map!.get(id) ?? -1;
  }
}
