import { describe, expect, it } from 'vitest';
import { prettyLogLine, prettyLogStream } from '../../src/cli/log-lines.js';

describe('readable log lines for a terminal', () => {
  it('shows time, level, message and fields; drops pid and hostname', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      pid: 1,
      hostname: 'h',
      msg: 'request rejected',
      code: 'QueueDoesNotExist',
      status: 400,
      message: 'The specified queue does not exist.',
    });
    expect(prettyLogLine(line)).toBe(
      '03:04:05.678 INFO  request rejected code=QueueDoesNotExist status=400 message="The specified queue does not exist."',
    );
  });

  it("puts an error's stack under the line, and passes a non-JSON line through", () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'request failed',
      err: { stack: 'Error: x\n  at y' },
    });
    expect(prettyLogLine(line)).toBe('00:00:00.000 ERROR request failed\n    Error: x\n      at y');
    expect(prettyLogLine('not json')).toBe('not json');
  });

  it('the stream rewrites each line pino writes', async () => {
    const out: string[] = [];
    const stream = prettyLogStream({ write: (t: string) => out.push(t) });
    await new Promise<void>((resolve) =>
      stream.write(`${JSON.stringify({ level: 20, time: 0, msg: 'request', ms: 1.5 })}\n`, () =>
        resolve(),
      ),
    );
    expect(out).toEqual(['00:00:00.000 DEBUG request ms=1.5\n']);
  });
});
