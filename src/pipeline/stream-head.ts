/** The first bytes of a web stream, read ahead, and the stream as it was before. */
export interface StreamHead {
  /** At least the bytes asked for, or all there were when the stream ended first. */
  readonly head: Buffer;
  /** The whole stream again: the bytes already read, then the rest, pulled on demand. */
  readonly stream: ReadableStream<Uint8Array>;
}

/** Reads at least `count` bytes of `input` (fewer only at its end) without losing them. */
export async function readHead(
  input: ReadableStream<Uint8Array>,
  count: number,
): Promise<StreamHead> {
  const reader = input.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < count && !ended) {
    const { done, value } = await reader.read();
    if (done) ended = true;
    else {
      chunks.push(value);
      length += value.length;
    }
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        if (ended) controller.close();
      },
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { head: Buffer.concat(chunks), stream };
}
