import { BallastError } from '../core/errors.js';
import { formatSequenceNumber } from '../core/ids.js';
import type { HandleOutcome, QueueRecord } from '../store/contract.js';
import type { QueueContext } from './context.js';
import { longPoll } from './long-poll.js';
import {
  md5OfSystemAttributes,
  type PreparedMessage,
  prepareMessage,
  sendOptionsFor,
  toReceivedMessage,
} from './prepare.js';
import { decodeReceiptHandle } from './receipt.js';
import { checkRange, validateBatchIds, validateFifoId } from './validate.js';
import type {
  BatchFailure,
  BatchResult,
  QueueDepth,
  ReceivedMessage,
  ReceiveOptions,
  SendBatchEntry,
  SendMessageOptions,
  SendResult,
} from './types.js';
import { Consumer, type ConsumeOptions, type MessageHandler } from './consumer.js';
import { Outbox } from './outbox.js';
import { recordReceive, sendSpan, withTraceContext } from './tracing.js';

/** A handle on one queue. Cheap to hold; every call re-checks that the queue exists. */
export class Queue {
  /** The queue's name. */
  readonly name: string;
  readonly #ctx: QueueContext;

  /** @internal use `ballast.queues.get()` / `.create()`. */
  constructor(ctx: QueueContext, name: string) {
    this.#ctx = ctx;
    this.name = name;
  }

  /** The queue's ARN. */
  get arn(): string {
    return this.#ctx.arn(this.name);
  }

  /** The stored record (settings, tags, timestamps). */
  record(): Promise<QueueRecord> {
    return this.#ctx.resolve(this.name);
  }

  /** A transactional outbox on this queue: sends that commit inside the caller's own transaction. */
  async outbox(): Promise<Outbox> {
    return new Outbox(this.#ctx, await this.record());
  }

  /** Sends one message; resolves after it is durably stored. */
  async send(body: string, options: SendMessageOptions = {}): Promise<SendResult> {
    const q = await this.record();
    const prepared = prepareMessage(q, body, options, this.#ctx.limits);
    const [result] = await this.#store(q, [prepared], options.transaction);
    return result!;
  }

  /** Sends up to 10 messages (≤ 1 MiB in all); invalid entries fail alone. */
  async sendBatch(entries: readonly SendBatchEntry[]): Promise<BatchResult<SendResult>> {
    const q = await this.record();
    const ids = entries.map((e, i) => e.id ?? String(i));
    validateBatchIds(ids, this.#ctx.limits);
    const failed: BatchFailure[] = [];
    const ok: { id: string; prepared: PreparedMessage }[] = [];
    let total = 0;
    entries.forEach((entry, i) => {
      const id = ids[i]!;
      try {
        const prepared = prepareMessage(q, entry.body, entry, this.#ctx.limits);
        total += prepared.bytes;
        ok.push({ id, prepared });
      } catch (error) {
        failed.push(toFailure(id, error));
      }
    });
    if (total > this.#ctx.limits.maxBatchBytes) {
      throw new BallastError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${this.#ctx.limits.maxBatchBytes} bytes. You have sent ${total} bytes.`,
      );
    }
    const results =
      ok.length > 0
        ? await this.#store(
            q,
            ok.map((o) => o.prepared),
          )
        : [];
    return { successful: results.map((r, i) => ({ ...r, id: ok[i]!.id })), failed };
  }

  async #store(
    q: QueueRecord,
    prepared: readonly PreparedMessage[],
    transaction?: unknown,
  ): Promise<SendResult[]> {
    const s = q.settings;
    const options = {
      ...sendOptionsFor(q, this.#ctx.limits),
      ...(transaction !== undefined ? { transaction } : {}),
    };
    const outcomes = await sendSpan(q.name, prepared.length, async (span) => {
      // The stored messages carry the send span (AWSTraceHeader) so their consumers join its
      // trace; the MD5s answered below stay those of what the sender sent.
      const sent = await this.#ctx.store.queues.send(
        q.id,
        withTraceContext(prepared.map((p) => p.message)),
        options,
      );
      if (sent.length === 1) span.setAttribute('messaging.message.id', sent[0]!.messageId);
      return sent;
    });
    this.#ctx.events.emit('message:sent', {
      queue: q.name,
      count: outcomes.filter((o) => !o.duplicate).length,
    });
    return outcomes.map((o, i) => {
      const m = prepared[i]!.message;
      const r: SendResult = { messageId: o.messageId, md5OfMessageBody: m.md5OfBody };
      if (m.md5OfAttributes !== null) r.md5OfMessageAttributes = m.md5OfAttributes;
      const sys = md5OfSystemAttributes(m.traceHeader);
      if (sys !== undefined) r.md5OfMessageSystemAttributes = sys;
      if (s.fifo) r.sequenceNumber = formatSequenceNumber(o.position);
      return r;
    });
  }

  /** Receives up to `maxMessages` (1–10), long-polling up to `waitTimeSeconds`. */
  async receive(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const limits = this.#ctx.limits;
    const q = await this.record();
    const max = checkRange(
      options.maxMessages ?? 1,
      'MaxNumberOfMessages',
      1,
      limits.maxBatchEntries,
    );
    const wait = checkRange(
      options.waitTimeSeconds ?? q.settings.receiveMessageWaitTimeSeconds,
      'WaitTimeSeconds',
      0,
      limits.maxWaitTimeSeconds,
    );
    const visibility = checkRange(
      options.visibilityTimeout ?? q.settings.visibilityTimeout,
      'VisibilityTimeout',
      0,
      limits.maxVisibilityTimeout,
    );
    if (options.receiveRequestAttemptId !== undefined)
      validateFifoId(options.receiveRequestAttemptId, 'ReceiveRequestAttemptId');
    return this.receiveUpTo(
      max,
      visibility,
      wait,
      options.receiveRequestAttemptId,
      options.signal,
      true,
    );
  }

  /**
   * @internal receive without the 10-message cap (consumers claim up to their free slots);
   * `traceEmpty`: trace the receive even when it finds nothing (a caller's own receive).
   */
  async receiveUpTo(
    max: number,
    visibilitySeconds: number,
    waitSeconds: number,
    attemptId?: string,
    signal?: AbortSignal,
    traceEmpty = false,
  ): Promise<ReceivedMessage[]> {
    const ctx = this.#ctx;
    const q = await this.record();
    const deadLetter = await this.#deadLetter(q);
    const request = {
      fifo: q.settings.fifo,
      max,
      visibilityMs: visibilitySeconds * 1000,
      ...(deadLetter ? { deadLetter } : {}),
      ...(attemptId !== undefined && q.settings.fifo
        ? { attempt: { id: attemptId, windowMs: ctx.limits.deduplicationInterval * 1000 } }
        : {}),
    };
    const startedAt = Date.now();
    let received: ReceivedMessage[];
    try {
      const messages = await longPoll(
        ctx.store,
        ctx.clock,
        q.id,
        waitSeconds * 1000,
        () => ctx.store.queues.receive(q.id, request),
        signal,
      );
      received = messages.map((m) => toReceivedMessage(q, m));
    } catch (error) {
      recordReceive(q.name, startedAt, { error }, true);
      throw error;
    }
    if (received.length > 0)
      ctx.events.emit('message:received', { queue: q.name, count: received.length });
    // Only a caller's own receive is traced when it finds nothing (not a consumer's idle polls).
    recordReceive(q.name, startedAt, { messages: received }, traceEmpty);
    return received;
  }

  async #deadLetter(q: QueueRecord) {
    const policy = q.settings.redrivePolicy;
    if (!policy) return undefined;
    const dlqName = this.#ctx.nameFromArn(policy.deadLetterTargetArn);
    const dlq =
      dlqName === undefined ? undefined : await this.#ctx.resolve(dlqName).catch(() => undefined);
    // A missing DLQ must not lose messages: they keep being delivered until it exists again.
    if (!dlq) return undefined;
    return {
      queueId: dlq.id,
      maxReceiveCount: policy.maxReceiveCount,
      sourceArn: this.arn,
      resetSentAt: dlq.settings.fifo,
      retentionMs: dlq.settings.messageRetentionPeriod * 1000,
    };
  }

  /**
   * Deletes a received message. Returns true when deleted, false when the handle is stale (the
   * message was already deleted, or received again since this handle was issued): nothing changes then.
   */
  async delete(receiptHandle: string): Promise<boolean> {
    const q = await this.record();
    const ref = decodeReceiptHandle(receiptHandle, q.id);
    const [outcome] = await this.#ctx.store.queues.deleteMessages(q.id, [ref]);
    if (outcome === 'ok') this.#ctx.events.emit('message:deleted', { queue: q.name, count: 1 });
    return outcome === 'ok';
  }

  /** @internal deletes any number of messages by handle (consumers' batched acks). */
  async deleteMany(handles: readonly string[]): Promise<boolean[]> {
    const q = await this.record();
    const refs = handles.map((h) => decodeReceiptHandle(h, q.id));
    const outcomes = await this.#ctx.store.queues.deleteMessages(q.id, refs);
    const deleted = outcomes.filter((o) => o === 'ok').length;
    if (deleted > 0) this.#ctx.events.emit('message:deleted', { queue: q.name, count: deleted });
    return outcomes.map((o) => o === 'ok');
  }

  /** @internal makes received messages visible again at once (a consumer releasing unstarted work). */
  async releaseMany(handles: readonly string[]): Promise<void> {
    if (handles.length === 0) return;
    const q = await this.record();
    const changes = handles.map((h) => ({ ...decodeReceiptHandle(h, q.id), visibilityMs: 0 }));
    await this.#ctx.store.queues.changeVisibility(
      q.id,
      changes,
      this.#ctx.limits.maxVisibilityTimeout * 1000,
    );
  }

  /** Deletes up to 10 messages; per entry `deleted` says whether the handle was current. */
  async deleteBatch(
    entries: readonly { id: string; receiptHandle: string }[],
  ): Promise<BatchResult<{ deleted: boolean }>> {
    const q = await this.record();
    validateBatchIds(
      entries.map((e) => e.id),
      this.#ctx.limits,
    );
    const failed: BatchFailure[] = [];
    const refs: { id: string; ref: ReturnType<typeof decodeReceiptHandle> }[] = [];
    for (const e of entries) {
      try {
        refs.push({ id: e.id, ref: decodeReceiptHandle(e.receiptHandle, q.id) });
      } catch (error) {
        failed.push(toFailure(e.id, error));
      }
    }
    const outcomes =
      refs.length > 0
        ? await this.#ctx.store.queues.deleteMessages(
            q.id,
            refs.map((r) => r.ref),
          )
        : [];
    const deleted = outcomes.filter((o) => o === 'ok').length;
    if (deleted > 0) this.#ctx.events.emit('message:deleted', { queue: q.name, count: deleted });
    return {
      successful: refs.map((r, i) => ({ id: r.id, deleted: outcomes[i] === 'ok' })),
      failed,
    };
  }

  /** Sets a received message's visibility to `seconds` from now (0 releases it). */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    const q = await this.record();
    const ref = decodeReceiptHandle(receiptHandle, q.id);
    const visibility = checkRange(
      seconds,
      'VisibilityTimeout',
      0,
      this.#ctx.limits.maxVisibilityTimeout,
    );
    const [outcome] = await this.#ctx.store.queues.changeVisibility(
      q.id,
      [{ ...ref, visibilityMs: visibility * 1000 }],
      this.#ctx.limits.maxVisibilityTimeout * 1000,
    );
    throwForOutcome(outcome!, receiptHandle, this.#ctx.limits.maxVisibilityTimeout);
  }

  /** Changes visibility of up to 10 messages; failures are per entry. */
  async changeVisibilityBatch(
    entries: readonly { id: string; receiptHandle: string; visibilityTimeout: number }[],
  ): Promise<BatchResult<object>> {
    const q = await this.record();
    const limits = this.#ctx.limits;
    validateBatchIds(
      entries.map((e) => e.id),
      limits,
    );
    const failed: BatchFailure[] = [];
    const changes: {
      id: string;
      handle: string;
      change: { position: number; token: string; visibilityMs: number };
    }[] = [];
    for (const e of entries) {
      try {
        const ref = decodeReceiptHandle(e.receiptHandle, q.id);
        const v = checkRange(
          e.visibilityTimeout,
          'VisibilityTimeout',
          0,
          limits.maxVisibilityTimeout,
        );
        changes.push({
          id: e.id,
          handle: e.receiptHandle,
          change: { ...ref, visibilityMs: v * 1000 },
        });
      } catch (error) {
        failed.push(toFailure(e.id, error));
      }
    }
    const outcomes =
      changes.length > 0
        ? await this.#ctx.store.queues.changeVisibility(
            q.id,
            changes.map((c) => c.change),
            limits.maxVisibilityTimeout * 1000,
          )
        : [];
    const successful: { id: string }[] = [];
    outcomes.forEach((o, i) => {
      const c = changes[i]!;
      try {
        throwForOutcome(o, c.handle, limits.maxVisibilityTimeout);
        successful.push({ id: c.id });
      } catch (error) {
        failed.push(toFailure(c.id, error));
      }
    });
    return { successful, failed };
  }

  /** Removes every message; at most once per 60 s (`PurgeQueueInProgress`). */
  async purge(): Promise<void> {
    const q = await this.record();
    const ok = await this.#ctx.store.queues.purgeQueue(q.id, this.#ctx.limits.purgeCooldown * 1000);
    if (!ok) {
      throw new BallastError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${q.name} is allowed every ${this.#ctx.limits.purgeCooldown} seconds.`,
      );
    }
  }

  /** Approximate depth and the age of the oldest message. */
  async depth(): Promise<QueueDepth> {
    const q = await this.record();
    const s = await this.#ctx.stats(q);
    const now = await this.#ctx.store.now();
    return {
      visible: s.visible,
      delayed: s.delayed,
      inFlight: s.inFlight,
      oldestAgeSeconds:
        s.oldestSentAt === null ? 0 : Math.max(0, Math.floor((now - s.oldestSentAt) / 1000)),
    };
  }

  /**
   * Runs `handler` for each message with up to `concurrency` at once; deletes on success,
   * retries with backoff on failure. Returns the running consumer (`await consumer.stop()`).
   */
  consume(handler: MessageHandler, options: ConsumeOptions = {}): Consumer {
    const consumer = new Consumer(this, this.#ctx, handler, options);
    consumer.start();
    return consumer;
  }
}

function throwForOutcome(outcome: HandleOutcome, handle: string, maxVisibility: number): void {
  switch (outcome) {
    case 'ok':
      return;
    case 'stale':
      throw new BallastError(
        'InvalidParameterValue',
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
      );
    case 'notInflight':
      throw new BallastError('MessageNotInflight', 'The message referred to is not in flight.');
    case 'overLimit':
      throw new BallastError(
        'InvalidParameterValue',
        `Value for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${maxVisibility} seconds].`,
      );
  }
}

function toFailure(id: string, error: unknown): BatchFailure {
  if (error instanceof BallastError) {
    return {
      id,
      senderFault: error.shape.fault === 'Sender',
      code: error.code,
      message: error.message,
    };
  }
  return { id, senderFault: false, code: 'InternalError', message: 'internal error' };
}
