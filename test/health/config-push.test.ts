/**
 * Full-state config distribution over a file: the whole document every interval; subscribers
 * apply whole documents, refuse corrupt, invalid and older ones, and keep the last good one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigPublisher, ConfigSubscriber, fileChannel } from '../../src/health/config-push.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor } from '../helpers/ballast.js';

interface Routes {
  routes: Record<string, string>;
}
const validate = (doc: unknown): Routes => {
  const routes = (doc as Routes | null)?.routes;
  if (
    typeof routes !== 'object' ||
    routes === null ||
    Object.values(routes).some((v) => typeof v !== 'string')
  )
    throw new Error('routes must map names to strings');
  return { routes };
};

function setup() {
  const path = join(mkdtempSync(join(tmpdir(), 'ballast-config-')), 'config.json');
  const clock = new FakeClock();
  let doc: unknown = { routes: { a: '10.0.0.1' } };
  const publisher = new ConfigPublisher({
    load: () => doc,
    channel: fileChannel(path),
    clock,
    intervalMs: 1_000,
  });
  const applied: Routes[] = [];
  const subscriber = new ConfigSubscriber({
    channel: fileChannel(path),
    validate,
    clock,
    intervalMs: 1_000,
    onApply: (d) => applied.push(d),
  });
  return { path, clock, publisher, subscriber, applied, set: (d: unknown) => (doc = d) };
}

describe('full-state config distribution', () => {
  it('publishes the whole document every interval, changed or not; subscribers apply only changes', async () => {
    const { path, publisher, subscriber, applied, set } = setup();
    const first = await publisher.publishOnce();
    const second = await publisher.publishOnce();
    expect(second.sequence).toBe(first.sequence + 1);
    expect(second.checksum).toBe(first.checksum);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      format: 1,
      document: { routes: { a: '10.0.0.1' } },
    });
    expect(await subscriber.refresh()).toEqual({ applied: true });
    expect(await subscriber.refresh()).toEqual({ applied: false });
    set({ routes: { a: '10.0.0.1', b: '10.0.0.2' } });
    await publisher.publishOnce();
    expect(await subscriber.refresh()).toEqual({ applied: true });
    expect(applied.map((d) => Object.keys(d.routes))).toEqual([['a'], ['a', 'b']]);
  });

  it('keeps the last good document when the update is corrupt, invalid, older or missing; heals on the next good one', async () => {
    const { path, clock, publisher, subscriber, set } = setup();
    await publisher.publishOnce();
    await subscriber.refresh();
    const good = subscriber.current;
    const text = await readFile(path, 'utf8');
    writeFileSync(path, text.replace('10.0.0.1', '10.6.6.6')); // the checksum no longer matches
    expect(await subscriber.refresh()).toEqual({ applied: false, refusal: 'bad-checksum' });
    writeFileSync(path, text.slice(0, 20));
    expect(await subscriber.refresh()).toEqual({ applied: false, refusal: 'malformed' });
    set({ routes: { a: 42 } });
    await publisher.publishOnce();
    expect(await subscriber.refresh()).toMatchObject({ applied: false, refusal: 'invalid' });
    expect(subscriber.lastRefusal?.error).toMatch(/routes must map/);
    set({ routes: { c: '10.0.0.3' } });
    await publisher.publishOnce();
    const newest = await readFile(path, 'utf8');
    expect(await subscriber.refresh()).toEqual({ applied: true });
    writeFileSync(path, text); // the first envelope (sequence 0) again
    expect(await subscriber.refresh()).toEqual({ applied: false, refusal: 'older' });
    expect(subscriber.current).toEqual({ routes: { c: '10.0.0.3' } });
    expect(good).toEqual({ routes: { a: '10.0.0.1' } });
    // The publisher goes away: the subscriber keeps the document it has, and reports stale later.
    writeFileSync(path, newest);
    expect(await subscriber.refresh()).toEqual({ applied: false });
    expect(subscriber.stale).toBe(false);
    clock.advance(3_001);
    expect(subscriber.stale).toBe(true);
    expect(subscriber.current).toEqual({ routes: { c: '10.0.0.3' } });
  });

  it('a restarted publisher (newer epoch, sequence from 0) is applied', async () => {
    const { path, clock, publisher, subscriber, set } = setup();
    await publisher.publishOnce();
    await publisher.publishOnce();
    await subscriber.refresh();
    clock.advance(10);
    set({ routes: { z: '10.9.9.9' } });
    const restarted = new ConfigPublisher({
      load: () => ({ routes: { z: '10.9.9.9' } }),
      channel: fileChannel(path),
      clock,
    });
    expect((await restarted.publishOnce()).sequence).toBe(0);
    expect(await subscriber.refresh()).toEqual({ applied: true });
    expect(subscriber.current).toEqual({ routes: { z: '10.9.9.9' } });
  });

  it('runs on its own every interval', async () => {
    const { clock, publisher, subscriber, applied, set } = setup();
    publisher.start();
    await waitFor(() => publisher.latest !== undefined);
    subscriber.start();
    await waitFor(() => applied.length === 1);
    set({ routes: { b: '10.0.0.2' } });
    clock.advance(1_000);
    await waitFor(() => publisher.latest?.includes('10.0.0.2') === true);
    clock.advance(1_000);
    await waitFor(() => applied.length === 2);
    await publisher.stop();
    await subscriber.stop();
    expect(applied.at(-1)).toEqual({ routes: { b: '10.0.0.2' } });
  });
});
