/**
 * EventBridge calls Terraform, CDK and SAM make (issue 14): TagResource / UntagResource /
 * ListTagsForResource on buses and rules, tags of CreateEventBus and PutRule, PutPermission /
 * RemovePermission (the bus's Policy), UpdateEventBus — through the AWS SDK v3 client.
 */
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  ListTagsForResourceCommand,
  PutPermissionCommand,
  PutRuleCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEventBusCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startTestServer, TEST_CREDENTIALS, type TestServer } from './helpers.js';

let t: TestServer;
let eb: EventBridgeClient;
const ARN = 'arn:aws:events:eu-central-1:210987654321';

beforeAll(async () => {
  t = await startTestServer({
    ballastOptions: { region: 'eu-central-1', accountId: '210987654321' },
  });
  eb = new EventBridgeClient({
    endpoint: t.url,
    region: 'eu-central-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  eb.destroy();
  await t.close();
});

const sdkError = async (p: Promise<unknown>) => {
  const e = await rejection(p);
  return {
    name: e.name,
    message: e.message,
    status: (e.$metadata as { httpStatusCode?: number }).httpStatusCode,
  };
};
const tagsOf = async (arn: string) =>
  (await eb.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags;

describe('EventBridge tags', () => {
  it('stores CreateEventBus and PutRule tags, and Tag/Untag/ListTagsForResource change and show them by ARN', async () => {
    await eb.send(
      new CreateEventBusCommand({ Name: 'tagged', Tags: [{ Key: 'team', Value: 'orders' }] }),
    );
    expect(await tagsOf(`${ARN}:event-bus/tagged`)).toEqual([{ Key: 'team', Value: 'orders' }]);
    await eb.send(
      new TagResourceCommand({
        ResourceARN: `${ARN}:event-bus/tagged`,
        Tags: [
          { Key: 'team', Value: 'payments' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
    expect(await tagsOf(`${ARN}:event-bus/tagged`)).toEqual([
      { Key: 'team', Value: 'payments' },
      { Key: 'env', Value: 'prod' },
    ]);
    await eb.send(
      new UntagResourceCommand({
        ResourceARN: `${ARN}:event-bus/tagged`,
        TagKeys: ['team', 'absent'],
      }),
    );
    expect(await tagsOf(`${ARN}:event-bus/tagged`)).toEqual([{ Key: 'env', Value: 'prod' }]);

    // Rules on the default bus and on a custom bus; PutRule's tags count only when it creates.
    const onDefault = await eb.send(
      new PutRuleCommand({
        Name: 'r1',
        EventPattern: '{"source":["a"]}',
        Tags: [{ Key: 'owner', Value: 'x' }],
      }),
    );
    expect(onDefault.RuleArn).toBe(`${ARN}:rule/r1`);
    await eb.send(
      new PutRuleCommand({
        Name: 'r1',
        EventPattern: '{"source":["b"]}',
        Tags: [{ Key: 'ignored', Value: 'y' }],
      }),
    );
    expect(await tagsOf(`${ARN}:rule/r1`)).toEqual([{ Key: 'owner', Value: 'x' }]);
    const custom = await eb.send(
      new PutRuleCommand({ Name: 'r2', EventBusName: 'tagged', EventPattern: '{"source":["a"]}' }),
    );
    expect(custom.RuleArn).toBe(`${ARN}:rule/tagged/r2`);
    expect(await tagsOf(custom.RuleArn!)).toEqual([]);
    await eb.send(
      new TagResourceCommand({ ResourceARN: custom.RuleArn!, Tags: [{ Key: 'k', Value: 'v' }] }),
    );
    expect(await tagsOf(custom.RuleArn!)).toEqual([{ Key: 'k', Value: 'v' }]);
    // The bus's own tags are apart from its rules'.
    expect(await tagsOf(`${ARN}:event-bus/tagged`)).toEqual([{ Key: 'env', Value: 'prod' }]);
  });

  it('refuses unknown resources, reserved keys and more than 50 tags', async () => {
    for (const arn of [
      `${ARN}:event-bus/nope`,
      `${ARN}:rule/nope`,
      'arn:aws:events:us-east-1:000000000000:event-bus/default',
      'arn:aws:sqs:eu-central-1:210987654321:q',
    ])
      expect(await sdkError(tagsOf(arn))).toMatchObject({
        name: 'ResourceNotFoundException',
        status: 400,
      });
    const bus = `${ARN}:event-bus/default`;
    expect(
      await sdkError(
        eb.send(new TagResourceCommand({ ResourceARN: bus, Tags: [{ Key: 'aws:x', Value: 'v' }] })),
      ),
    ).toMatchObject({ name: 'ValidationException' });
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(
      await sdkError(eb.send(new TagResourceCommand({ ResourceARN: bus, Tags: many }))),
    ).toMatchObject({ name: 'LimitExceededException' });
    expect(await tagsOf(bus)).toEqual([]);
  });
});

describe('EventBridge PutPermission / RemovePermission', () => {
  const policyOf = async (name?: string) => {
    const d = await eb.send(new DescribeEventBusCommand(name ? { Name: name } : {}));
    return d.Policy === undefined ? undefined : (JSON.parse(d.Policy) as Record<string, unknown>);
  };

  it('builds the bus policy statement by statement, replaces by id, removes one or all', async () => {
    await eb.send(
      new PutPermissionCommand({
        StatementId: 'acct',
        Action: 'events:PutEvents',
        Principal: '111122223333',
      }),
    );
    await eb.send(
      new PutPermissionCommand({
        StatementId: 'org',
        Action: 'events:PutEvents',
        Principal: '*',
        Condition: { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-abc' },
      }),
    );
    const bus = `${ARN}:event-bus/default`;
    expect(await policyOf()).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'acct',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'events:PutEvents',
          Resource: bus,
        },
        {
          Sid: 'org',
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: bus,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
        },
      ],
    });
    // The same id again replaces its statement (what Terraform's update does).
    await eb.send(
      new PutPermissionCommand({
        StatementId: 'acct',
        Action: 'events:PutEvents',
        Principal: '444455556666',
      }),
    );
    const replaced = (await policyOf()) as { Statement: { Sid: string; Principal: unknown }[] };
    expect(replaced.Statement.map((s) => s.Sid)).toEqual(['acct', 'org']);
    expect(replaced.Statement[0]!.Principal).toEqual({ AWS: 'arn:aws:iam::444455556666:root' });

    await eb.send(new RemovePermissionCommand({ StatementId: 'acct' }));
    expect(
      ((await policyOf()) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid),
    ).toEqual(['org']);
    expect(
      await sdkError(eb.send(new RemovePermissionCommand({ StatementId: 'acct' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    await eb.send(new RemovePermissionCommand({ RemoveAllPermissions: true }));
    expect(await policyOf()).toBeUndefined();
  });

  it('takes a whole Policy on a custom bus, and refuses bad grants and policies over 10 KB', async () => {
    await eb.send(new CreateEventBusCommand({ Name: 'shared' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'whole', Effect: 'Allow', Principal: '*', Action: 'events:*' }],
    };
    await eb.send(
      new PutPermissionCommand({ EventBusName: 'shared', Policy: JSON.stringify(policy) }),
    );
    expect(await policyOf('shared')).toEqual(policy);
    const bad = [
      { EventBusName: 'shared', Policy: 'not json' },
      { EventBusName: 'shared', Policy: '{}', StatementId: 's' },
      { StatementId: 'x', Action: 'events:PutRule', Principal: '111122223333' },
      { StatementId: 'x', Action: 'events:PutEvents', Principal: '12' },
      { StatementId: 'bad id!', Action: 'events:PutEvents', Principal: '111122223333' },
      { Action: 'events:PutEvents', Principal: '111122223333' },
    ];
    for (const input of bad)
      expect(await sdkError(eb.send(new PutPermissionCommand(input)))).toMatchObject({
        name: 'ValidationException',
        status: 400,
      });
    expect(
      await sdkError(
        eb.send(
          new PutPermissionCommand({
            EventBusName: 'shared',
            Policy: JSON.stringify({ Statement: [], pad: 'x'.repeat(11_000) }),
          }),
        ),
      ),
    ).toMatchObject({ name: 'PolicyLengthExceededException', status: 400 });
    expect(await policyOf('shared')).toEqual(policy);
    expect(
      await sdkError(
        eb.send(
          new PutPermissionCommand({
            EventBusName: 'missing',
            StatementId: 'x',
            Action: 'events:PutEvents',
            Principal: '111122223333',
          }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('EventBridge UpdateEventBus', () => {
  it('replaces description, dead-letter config and KMS key id; keeps tags and policy', async () => {
    await eb.send(
      new CreateEventBusCommand({
        Name: 'updated',
        Description: 'first',
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );
    await eb.send(
      new PutPermissionCommand({
        EventBusName: 'updated',
        StatementId: 's',
        Action: 'events:PutEvents',
        Principal: '111122223333',
      }),
    );
    const dlq = 'arn:aws:sqs:eu-central-1:210987654321:bus-dlq';
    const out = await eb.send(
      new UpdateEventBusCommand({
        Name: 'updated',
        Description: 'second',
        DeadLetterConfig: { Arn: dlq },
        KmsKeyIdentifier: 'alias/mine',
      }),
    );
    expect(out).toMatchObject({
      Arn: `${ARN}:event-bus/updated`,
      Name: 'updated',
      Description: 'second',
      DeadLetterConfig: { Arn: dlq },
      KmsKeyIdentifier: 'alias/mine',
    });
    const described = await eb.send(new DescribeEventBusCommand({ Name: 'updated' }));
    expect(described).toMatchObject({
      Description: 'second',
      DeadLetterConfig: { Arn: dlq },
      KmsKeyIdentifier: 'alias/mine',
    });
    expect(described.Policy).toContain('"Sid":"s"');
    // Omitted fields are cleared; tags and policy stay.
    await eb.send(new UpdateEventBusCommand({ Name: 'updated' }));
    const cleared = await eb.send(new DescribeEventBusCommand({ Name: 'updated' }));
    expect(cleared.Description).toBeUndefined();
    expect(cleared.DeadLetterConfig).toBeUndefined();
    expect(cleared.KmsKeyIdentifier).toBeUndefined();
    expect(cleared.Policy).toContain('"Sid":"s"');
    expect(await tagsOf(`${ARN}:event-bus/updated`)).toEqual([{ Key: 'k', Value: 'v' }]);
    expect(await sdkError(eb.send(new UpdateEventBusCommand({ Name: 'missing' })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
