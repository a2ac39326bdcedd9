/**
 * Bytes that are not UTF-8 are refused, never stored as U+FFFD: in an SQS MessageBody
 * (InvalidMessageContents, as SQS refuses characters outside its set) and in an EventBridge
 * Detail (ValidationException). Valid text, U+FFFD itself included, is kept byte for byte.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ ballastOptions: { bus: { background: false } } });
});
afterAll(() => t.close());

/** JSON text with raw bytes spliced in where `@@` stands. */
const withBytes = (json: string, bytes: number[]): Buffer => {
  const [a, b] = json.split('@@') as [string, string];
  return Buffer.concat([Buffer.from(a), Buffer.from(bytes), Buffer.from(b)]);
};

async function post(
  target: string,
  contentType: string,
  body: Buffer,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.url}/`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-amz-target': target },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it('SendMessage with invalid UTF-8 in MessageBody: 400 InvalidMessageContents, nothing stored', async () => {
  const q = await t.ballast.queues.create('utf8');
  const url = (await t.call('GetQueueUrl', { QueueName: 'utf8' })).body.QueueUrl as string;
  for (const bytes of [
    [0xff],
    [0xc3],
    [0xed, 0xa0, 0x80] /* an encoded surrogate */,
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  ]) {
    const r = await post(
      'AmazonSQS.SendMessage',
      'application/x-amz-json-1.0',
      withBytes(`{"QueueUrl":"${url}","MessageBody":"a@@b"}`, bytes),
    );
    expect(r.status).toBe(400);
    expect(String(r.body.__type)).toMatch(/InvalidMessageContents$/);
  }
  expect((await q.depth()).visible).toBe(0);
  // U+FFFD sent as valid UTF-8 is just a character: stored and returned as sent.
  const ok = await post(
    'AmazonSQS.SendMessage',
    'application/x-amz-json-1.0',
    withBytes(`{"QueueUrl":"${url}","MessageBody":"a@@b"}`, [0xef, 0xbf, 0xbd]),
  );
  expect(ok.status).toBe(200);
  const [m] = await q.receive({ maxMessages: 1 });
  expect(m?.body).toBe('a\uFFFDb');
});

it('PutEvents with invalid UTF-8 in Detail: 400 ValidationException, no event stored', async () => {
  const seen: number[] = [];
  t.ballast.bus.events.on('event:put', (e) => seen.push(e.count));
  const r = await post(
    'AWSEvents.PutEvents',
    'application/x-amz-json-1.1',
    withBytes(
      '{"Entries":[{"Source":"shop","DetailType":"T","Detail":"{\\"s\\":\\"@@\\"}"}]}',
      [0xfe],
    ),
  );
  expect(r.status).toBe(400);
  expect(String(r.body.__type)).toMatch(/ValidationException$/);
  expect(seen).toEqual([]);
  expect(await t.ballast.bus.dispatchOnce()).toBe(0);
});
