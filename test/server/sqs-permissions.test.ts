/**
 * SQS AddPermission / RemovePermission (issue 14): statements stored in the queue's `Policy`
 * attribute as SQS builds them, returned by GetQueueAttributes, with SQS's errors. Not enforced.
 */
import {
  AddPermissionCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  RemovePermissionCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, rejection, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ ballastOptions: { region: 'eu-west-1', accountId: '123456789012' } });
});
afterAll(() => t.close());

const create = async (name: string): Promise<string> =>
  (await t.client.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;

const policyOf = async (url: string): Promise<unknown> => {
  const got = await t.client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }),
  );
  const text = got.Attributes?.Policy;
  return text === undefined ? undefined : JSON.parse(text);
};

describe('SQS AddPermission / RemovePermission', () => {
  it('stores one statement per label in Policy, as SQS builds it, and removes them again', async () => {
    const url = await create('perm');
    const arn = 'arn:aws:sqs:eu-west-1:123456789012:perm';
    await t.client.send(
      new AddPermissionCommand({
        QueueUrl: url,
        Label: 'AliceSend',
        AWSAccountIds: ['111122223333'],
        Actions: ['SendMessage'],
      }),
    );
    await t.client.send(
      new AddPermissionCommand({
        QueueUrl: url,
        Label: 'team_read-2',
        AWSAccountIds: ['111122223333', '444455556666'],
        Actions: ['ReceiveMessage', 'DeleteMessage'],
      }),
    );
    expect(await policyOf(url)).toEqual({
      Version: '2012-10-17',
      Id: `${arn}/SQSDefaultPolicy`,
      Statement: [
        {
          Sid: 'AliceSend',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'SQS:SendMessage',
          Resource: arn,
        },
        {
          Sid: 'team_read-2',
          Effect: 'Allow',
          Principal: {
            AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'],
          },
          Action: ['SQS:ReceiveMessage', 'SQS:DeleteMessage'],
          Resource: arn,
        },
      ],
    });
    // `All` includes it too.
    const all = await t.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(all.Attributes?.Policy).toBeDefined();

    await t.client.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'AliceSend' }));
    expect(
      ((await policyOf(url)) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid),
    ).toEqual(['team_read-2']);
    await t.client.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'team_read-2' }));
    expect(await policyOf(url)).toBeUndefined();
    // Not enforced: the queue still takes messages from anyone.
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'still open' }));
  });

  it('appends to a policy set with SetQueueAttributes, keeping its Id and statements', async () => {
    const url = await create('perm-own');
    const own = {
      Version: '2012-10-17',
      Id: 'mine',
      Statement: { Sid: 'own', Effect: 'Deny', Principal: '*', Action: 'SQS:*', Resource: '*' },
    };
    await t.client.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(own) } }),
    );
    await t.client.send(
      new AddPermissionCommand({
        QueueUrl: url,
        Label: 'added',
        AWSAccountIds: ['111122223333'],
        Actions: ['*'],
      }),
    );
    const policy = (await policyOf(url)) as { Id: string; Statement: { Sid: string }[] };
    expect(policy.Id).toBe('mine');
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['own', 'added']);
  });

  it('refuses as SQS does: duplicate or malformed label, unknown label, more than 7 actions, bad accounts and actions', async () => {
    const url = await create('perm-errors');
    const add = (over: Partial<{ Label: string; AWSAccountIds: string[]; Actions: string[] }>) =>
      rejection(
        t.client.send(
          new AddPermissionCommand({
            QueueUrl: url,
            Label: 'dup',
            AWSAccountIds: ['111122223333'],
            Actions: ['SendMessage'],
            ...over,
          }),
        ),
      );
    await t.client.send(
      new AddPermissionCommand({
        QueueUrl: url,
        Label: 'dup',
        AWSAccountIds: ['111122223333'],
        Actions: ['SendMessage'],
      }),
    );
    const invalid = { name: 'InvalidParameterValue', code: 'InvalidParameterValue', status: 400 };
    const dup = await add({});
    expect(errorSummary(dup)).toEqual(invalid);
    expect(dup.message).toMatch(/Label is invalid.*Already exists/);
    expect(errorSummary(await add({ Label: 'x'.repeat(81) }))).toEqual(invalid);
    expect(errorSummary(await add({ Label: 'has space' }))).toEqual(invalid);
    expect(errorSummary(await add({ Label: 'acct', AWSAccountIds: ['123'] }))).toEqual(invalid);
    expect(errorSummary(await add({ Label: 'act', Actions: ['CreateQueue'] }))).toEqual(invalid);
    const eight = await add({
      Label: 'many',
      Actions: [
        'SendMessage',
        'ReceiveMessage',
        'DeleteMessage',
        'ChangeMessageVisibility',
        'GetQueueAttributes',
        'GetQueueUrl',
        'PurgeQueue',
        'ListQueueTags',
      ],
    });
    expect(errorSummary(eight)).toEqual({ name: 'OverLimit', code: 'OverLimit', status: 403 });
    const missing = await rejection(
      t.client.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'nope' })),
    );
    expect(errorSummary(missing)).toEqual(invalid);
    const gone = await rejection(
      t.client.send(
        new RemovePermissionCommand({
          QueueUrl: url.replace('perm-errors', 'no-such-queue'),
          Label: 'dup',
        }),
      ),
    );
    expect(gone.name).toBe('QueueDoesNotExist');
    // The failed calls left the one good statement alone.
    expect(
      ((await policyOf(url)) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid),
    ).toEqual(['dup']);
  });
});
