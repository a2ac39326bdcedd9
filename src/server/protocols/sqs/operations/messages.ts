import type { SqsOperation } from '../context.js';
import { reqInt, reqObjectList, reqString } from '../../aws/input.js';
import { entryLabel, failureToWire, sendEntryFromWire, sendResultToWire } from '../shapes.js';

/** Sending, deleting and changing the visibility of messages, one at a time or in batches. */

const sendMessage: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  const { body, ...options } = sendEntryFromWire(input);
  return sendResultToWire(await queue.send(body, options));
};

const sendMessageBatch: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  const entries = reqObjectList(input, 'Entries').map((e, i) => ({
    ...sendEntryFromWire(e, entryLabel(i)),
    id: reqString(e, 'Id', `${entryLabel(i)}Id`),
  }));
  const result = await queue.sendBatch(entries);
  return {
    Successful: result.successful.map((r) => ({ Id: r.id, ...sendResultToWire(r) })),
    Failed: result.failed.map(failureToWire),
  };
};

const deleteMessage: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  // A stale handle (message received again, or already deleted) succeeds without effect, as in SQS.
  await queue.delete(reqString(input, 'ReceiptHandle'));
  return {};
};

const deleteMessageBatch: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  const entries = reqObjectList(input, 'Entries').map((e, i) => ({
    id: reqString(e, 'Id', `${entryLabel(i)}Id`),
    receiptHandle: reqString(e, 'ReceiptHandle', `${entryLabel(i)}ReceiptHandle`),
  }));
  const result = await queue.deleteBatch(entries);
  return {
    Successful: result.successful.map((r) => ({ Id: r.id })),
    Failed: result.failed.map(failureToWire),
  };
};

const changeMessageVisibility: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  await queue.changeVisibility(
    reqString(input, 'ReceiptHandle'),
    reqInt(input, 'VisibilityTimeout'),
  );
  return {};
};

const changeMessageVisibilityBatch: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  const entries = reqObjectList(input, 'Entries').map((e, i) => ({
    id: reqString(e, 'Id', `${entryLabel(i)}Id`),
    receiptHandle: reqString(e, 'ReceiptHandle', `${entryLabel(i)}ReceiptHandle`),
    visibilityTimeout: reqInt(e, 'VisibilityTimeout', `${entryLabel(i)}VisibilityTimeout`),
  }));
  const result = await queue.changeVisibilityBatch(entries);
  return {
    Successful: result.successful.map((r) => ({ Id: r.id })),
    Failed: result.failed.map(failureToWire),
  };
};

/** Operations of this group by name. */
export const MESSAGE_OPERATIONS: Readonly<Record<string, SqsOperation>> = {
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
};
