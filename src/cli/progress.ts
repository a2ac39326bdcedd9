import { type Output, progressBar } from './output.js';

/** Done and total of a long task, as a progress bar shows them. */
export interface Progress {
  done: number;
  total: number;
}

/**
 * Draws a progress bar on a terminal while `finished` is pending, polling `poll` every `everyMs`
 * (default 250), then draws `final(result)` — so a task that completed shows 100 %, however far
 * the last poll had got. Returns `finished`'s result; draws nothing when stderr is not a TTY.
 */
export async function withProgress<T>(
  io: Output,
  finished: Promise<T>,
  poll: () => Promise<Progress | undefined>,
  final: (result: T) => Progress,
  everyMs = 250,
): Promise<T> {
  const draw = io.tty ? io.progress?.bind(io) : undefined;
  if (!draw) return finished;
  let settled = false;
  const done = finished.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    const now = await poll();
    if (now) draw(progressBar(now.done, now.total), false);
    await Promise.race([done, new Promise((r) => setTimeout(r, everyMs))]);
  }
  const result = await finished.catch((error: unknown) => {
    draw('', true); // end the bar's line before the error is printed
    throw error;
  });
  const last = final(result);
  draw(progressBar(last.done, last.total), true);
  return result;
}
