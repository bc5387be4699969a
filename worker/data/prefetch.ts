// Runs an async iterable ahead of its consumer: up to `depth` items are requested at once, so the producer
// (reading, decoding, augmenting batch k + 1 ...) works while the consumer is busy with batch k. An async
// generator runs queued next() calls one after another, so order is kept and at most `depth` finished items
// wait in memory. An abort rejects the consumer's wait at once with the signal's reason; leaving the loop
// (break, throw) closes the source.

export async function* prefetch<T>(
  source: AsyncIterable<T>,
  depth: number,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  let fail = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    fail = () => reject(signal?.reason as Error);
  });
  if (signal?.aborted) fail();
  signal?.addEventListener('abort', fail, { once: true });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      while (queue.length < Math.max(1, depth)) {
        const next = iterator.next();
        // Rejections are observed when the item's turn comes; this only keeps them from counting as unhandled.
        next.catch(() => undefined);
        queue.push(next);
      }
      const result = await Promise.race([queue.shift()!, aborted]);
      if (result.done) return;
      yield result.value;
    }
  } finally {
    signal?.removeEventListener('abort', fail);
    void iterator.return?.(undefined)?.catch(() => undefined);
  }
}
