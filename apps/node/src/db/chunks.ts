/** Runs `task` over `values` in slices of `size`, one after another (bounded IN lists and multi-row inserts). */
export async function forChunks<T>(values: readonly T[], size: number, task: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < values.length; i += size) await task(values.slice(i, i + size));
}
