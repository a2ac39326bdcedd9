import type { ArchiveDescription } from '../../../../bus/archives.js';
import { compact } from '../../aws/output.js';
import { optInt, optString, reqString, type WireObject } from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { pageFromWire, refuseMember, seconds } from '../wire.js';

/** Archives: CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive. */

/** The members CreateArchive and UpdateArchive share. */
function archiveOptions(input: WireObject): {
  description?: string;
  eventPattern?: string;
  retentionDays?: number;
} {
  refuseMember(input, 'KmsKeyIdentifier', 'Ballast does not encrypt archives with KMS keys.');
  return compact({
    description: optString(input, 'Description'),
    eventPattern: optString(input, 'EventPattern'),
    retentionDays: optInt(input, 'RetentionDays'),
  });
}

/** A library archive → the wire `Archive` (ListArchives) members. */
const archiveToWire = (a: ArchiveDescription): Record<string, unknown> => ({
  ArchiveName: a.archiveName,
  EventSourceArn: a.eventSourceArn,
  State: a.state,
  RetentionDays: a.retentionDays,
  SizeBytes: a.sizeBytes,
  EventCount: a.eventCount,
  CreationTime: seconds(a.creationTime),
});

const createArchive: EventsOperation = async (input, ctx) => {
  const name = reqString(input, 'ArchiveName');
  const source = reqString(input, 'EventSourceArn');
  const created = await ctx.ballast.bus.archives.create(name, source, archiveOptions(input));
  return {
    ArchiveArn: created.archiveArn,
    State: created.state,
    CreationTime: seconds(created.creationTime),
  };
};

const describeArchive: EventsOperation = async (input, ctx) => {
  const a = await ctx.ballast.bus.archives.describe(reqString(input, 'ArchiveName'));
  return compact({
    ...archiveToWire(a),
    ArchiveArn: a.archiveArn,
    Description: a.description,
    EventPattern: a.eventPattern,
  });
};

const listArchives: EventsOperation = async (input, ctx) => {
  const state = optString(input, 'State');
  const page = await ctx.ballast.bus.archives.list(
    compact({
      namePrefix: optString(input, 'NamePrefix'),
      eventSourceArn: optString(input, 'EventSourceArn'),
      ...pageFromWire(input),
    }),
  );
  // The library does not filter by state; a page may come back shorter, its NextToken still holds.
  const archives =
    state === undefined ? page.archives : page.archives.filter((a) => a.state === state);
  return compact({ Archives: archives.map(archiveToWire), NextToken: page.nextToken });
};

const updateArchive: EventsOperation = async (input, ctx) => {
  const name = reqString(input, 'ArchiveName');
  const updated = await ctx.ballast.bus.archives.update(name, archiveOptions(input));
  return { ArchiveArn: updated.archiveArn, State: updated.state };
};

const deleteArchive: EventsOperation = async (input, ctx) => {
  await ctx.ballast.bus.archives.delete(reqString(input, 'ArchiveName'));
  return {};
};

/** Operations of this group by name. */
export const ARCHIVE_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  CreateArchive: createArchive,
  DescribeArchive: describeArchive,
  ListArchives: listArchives,
  UpdateArchive: updateArchive,
  DeleteArchive: deleteArchive,
};
