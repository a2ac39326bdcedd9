import { BallastError, check } from '../../../../core/errors.js';
import { compact } from '../../aws/output.js';
import type { SqsOperation } from '../context.js';
import {
  optInt,
  optString,
  optStringList,
  optStringMap,
  reqString,
  reqStringList,
  reqStringMap,
} from '../../aws/input.js';

/** Queue lifecycle and configuration: create, find, list, attributes, tags, purge, delete. */

const createQueue: SqsOperation = async (input, ctx) => {
  const name = reqString(input, 'QueueName');
  const attributes = optStringMap(input, 'Attributes') ?? {};
  const tags = optStringMap(input, 'tags') ?? {};
  await ctx.ballast.queues.createWithAttributes(name, attributes, tags);
  return { QueueUrl: ctx.queueUrl(name) };
};

const getQueueUrl: SqsOperation = async (input, ctx) => {
  const name = reqString(input, 'QueueName');
  const owner = optString(input, 'QueueOwnerAWSAccountId');
  if (owner !== undefined && owner !== ctx.accountId) {
    throw new BallastError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
  }
  await ctx.ballast.queues.get(name);
  return { QueueUrl: ctx.queueUrl(name) };
};

const listQueues: SqsOperation = async (input, ctx) => {
  const prefix = optString(input, 'QueueNamePrefix');
  const nextToken = optString(input, 'NextToken');
  const maxResults = optInt(input, 'MaxResults');
  const page = await ctx.ballast.queues.list(compact({ prefix, nextToken, maxResults }));
  return compact({
    QueueUrls: page.names.length > 0 ? page.names.map((n) => ctx.queueUrl(n)) : undefined,
    NextToken: page.nextToken,
  });
};

const deleteQueue: SqsOperation = async (input, ctx) => {
  await ctx.ballast.queues.delete(ctx.queueName(input));
  return {};
};

const purgeQueue: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  await queue.purge();
  return {};
};

const getQueueAttributes: SqsOperation = async (input, ctx) => {
  const name = ctx.queueName(input);
  const names = optStringList(input, 'AttributeNames') ?? [];
  const attributes = await ctx.ballast.queues.getAttributes(name, names);
  return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
};

const setQueueAttributes: SqsOperation = async (input, ctx) => {
  const name = ctx.queueName(input);
  await ctx.ballast.queues.setAttributes(name, reqStringMap(input, 'Attributes'));
  return {};
};

const tagQueue: SqsOperation = async (input, ctx) => {
  const name = ctx.queueName(input);
  await ctx.ballast.queues.tag(name, reqStringMap(input, 'Tags'));
  return {};
};

const untagQueue: SqsOperation = async (input, ctx) => {
  const name = ctx.queueName(input);
  await ctx.ballast.queues.untag(name, reqStringList(input, 'TagKeys'));
  return {};
};

const listQueueTags: SqsOperation = async (input, ctx) => {
  const tags = await ctx.ballast.queues.tags(ctx.queueName(input));
  return Object.keys(tags).length > 0 ? { Tags: tags } : {};
};

const listDeadLetterSourceQueues: SqsOperation = async (input, ctx) => {
  const name = ctx.queueName(input);
  const maxResults = optInt(input, 'MaxResults');
  const nextToken = optString(input, 'NextToken');
  check(
    maxResults === undefined || (maxResults >= 1 && maxResults <= 1000),
    'MaxResults must be an integer between 1 and 1000.',
  );
  const after = nextToken === undefined ? undefined : decodeToken(nextToken);
  const sources = (await ctx.ballast.queues.deadLetterSources(name))
    .sort()
    .filter((n) => after === undefined || n > after);
  const max = maxResults ?? 1000;
  const page = sources.slice(0, max);
  const more = maxResults !== undefined && sources.length > max;
  // SQS answers this one member in lower case.
  return compact({
    queueUrls: page.map((n) => ctx.queueUrl(n)),
    NextToken: more ? encodeToken(page[page.length - 1]!) : undefined,
  });
};

/** AddPermission: a statement in the queue's `Policy` attribute (stored and returned, not enforced). */
const addPermission: SqsOperation = async (input, ctx) => {
  const name = ctx.queueName(input);
  await ctx.ballast.queues.addPermission(name, {
    label: reqString(input, 'Label'),
    accountIds: reqStringList(input, 'AWSAccountIds'),
    actions: reqStringList(input, 'Actions'),
  });
  return {};
};

const removePermission: SqsOperation = async (input, ctx) => {
  const name = ctx.queueName(input);
  await ctx.ballast.queues.removePermission(name, reqString(input, 'Label'));
  return {};
};

const encodeToken = (name: string): string => Buffer.from(name, 'utf8').toString('base64url');
function decodeToken(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  check(/^[A-Za-z0-9_.-]+$/.test(name), 'Invalid NextToken.');
  return name;
}

/** Operations of this group by name. */
export const QUEUE_OPERATIONS: Readonly<Record<string, SqsOperation>> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  PurgeQueue: purgeQueue,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  AddPermission: addPermission,
  RemovePermission: removePermission,
};
