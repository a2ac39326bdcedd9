import { reqString, reqStringList } from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { optTags } from '../wire.js';
import { EventsProtocolError } from '../errors.js';

/** Tags of buses and rules by ARN: TagResource, UntagResource, ListTagsForResource. */

const tagResource: EventsOperation = async (input, ctx) => {
  const tags = optTags(input);
  if (tags === undefined)
    throw new EventsProtocolError('ValidationException', 'The request must contain Tags.');
  await ctx.ballast.bus.tagResource(reqString(input, 'ResourceARN'), tags);
  return {};
};

const untagResource: EventsOperation = async (input, ctx) => {
  await ctx.ballast.bus.untagResource(
    reqString(input, 'ResourceARN'),
    reqStringList(input, 'TagKeys'),
  );
  return {};
};

const listTagsForResource: EventsOperation = async (input, ctx) => {
  const tags = await ctx.ballast.bus.listTagsForResource(reqString(input, 'ResourceARN'));
  return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
};

/** Operations of this group by name. */
export const TAG_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
