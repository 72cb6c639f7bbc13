/**
 * "Result ready" marks for the agent benchmark: bench files that measure the agent replace '@cccd/emrtd' with a
 * copy whose readVerified records performance.now() when the verified read resolves inside the agent (vi.mock in
 * the run/test file; see bench/agent.ts). Marks are kept only while recording is on.
 */
const marks: number[] = [];
let recording = false;

export function markReady(): void {
  if (recording) marks.push(performance.now());
}

export function startRecording(): void {
  marks.length = 0;
  recording = true;
}

export function stopRecording(): number[] {
  recording = false;
  return marks.splice(0);
}

/** The vi.mock factory body: '@cccd/emrtd' with readVerified marking its resolution. */
export async function hookedEmrtd<T extends { readVerified: (...a: never[]) => Promise<unknown> }>(
  original: T,
): Promise<T> {
  const readVerified = (async (...args: never[]) => {
    const r = await original.readVerified(...args);
    markReady();
    return r;
  }) as T['readVerified'];
  return { ...original, readVerified };
}
