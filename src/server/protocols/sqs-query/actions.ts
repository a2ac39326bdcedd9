import { list, map, struct, type QueryShape, type StructShape } from './shapes.js';

/*
 * Every SQS action's request and response members as the query protocol (API version
 * 2012-11-05) lays them out. Only what differs from "a member is a parameter, or an element, of
 * its JSON name" needs saying: flattened lists and maps and the types of non-strings.
 */

/** The query layout of one action: its request members, and its result's (`null`: no `<…Result>`). */
export interface QueryAction {
  readonly input: StructShape;
  readonly output: StructShape | null;
}

const S = 'string';
const I = 'integer';
const B = 'boolean';

/** A message attribute value (also a message system attribute value on sends). */
const attributeValue = struct({
  DataType: S,
  StringValue: S,
  BinaryValue: S,
  StringListValues: list('StringListValue'),
  BinaryListValues: list('BinaryListValue'),
});
const queueAttributes = map('Attribute', 'Name', 'Value');
const tags = map('Tag', 'Key', 'Value');
const messageAttributes = map('MessageAttribute', 'Name', 'Value', attributeValue);
const batchError = list(
  'BatchResultErrorEntry',
  struct({ Id: S, SenderFault: B, Code: S, Message: S }),
);
/** `Successful` / `Failed` of a batch whose successes carry only their `Id`. */
const idBatchResult = (entry: string): StructShape =>
  struct({ Successful: list(entry, struct({ Id: S })), Failed: batchError });
const sendMembers: Record<string, QueryShape> = {
  MessageBody: S,
  DelaySeconds: I,
  MessageAttributes: messageAttributes,
  MessageSystemAttributes: map('MessageSystemAttribute', 'Name', 'Value', attributeValue),
  MessageDeduplicationId: S,
  MessageGroupId: S,
};
const sendResult = {
  MessageId: S,
  MD5OfMessageBody: S,
  MD5OfMessageAttributes: S,
  MD5OfMessageSystemAttributes: S,
  SequenceNumber: S,
} as const;
const queueUrl = struct({ QueueUrl: S });
const queueUrlList = struct({ QueueUrls: list('QueueUrl'), NextToken: S });
const none = null;

/** The query layout of every SQS action, by action name (`Action=`). */
export const SQS_QUERY_ACTIONS: ReadonlyMap<string, QueryAction> = new Map(
  Object.entries({
    CreateQueue: {
      input: struct({ QueueName: S, Attributes: queueAttributes, tags }),
      output: queueUrl,
    },
    GetQueueUrl: { input: struct({ QueueName: S, QueueOwnerAWSAccountId: S }), output: queueUrl },
    ListQueues: {
      input: struct({ QueueNamePrefix: S, NextToken: S, MaxResults: I }),
      output: queueUrlList,
    },
    DeleteQueue: { input: queueUrl, output: none },
    PurgeQueue: { input: queueUrl, output: none },
    GetQueueAttributes: {
      input: struct({ QueueUrl: S, AttributeNames: list('AttributeName') }),
      output: struct({ Attributes: queueAttributes }),
    },
    SetQueueAttributes: {
      input: struct({ QueueUrl: S, Attributes: queueAttributes }),
      output: none,
    },
    TagQueue: { input: struct({ QueueUrl: S, Tags: tags }), output: none },
    UntagQueue: { input: struct({ QueueUrl: S, TagKeys: list('TagKey') }), output: none },
    ListQueueTags: { input: queueUrl, output: struct({ Tags: tags }) },
    ListDeadLetterSourceQueues: {
      input: struct({ QueueUrl: S, NextToken: S, MaxResults: I }),
      output: struct({ queueUrls: list('QueueUrl'), NextToken: S }),
    },
    AddPermission: {
      input: struct({
        QueueUrl: S,
        Label: S,
        AWSAccountIds: list('AWSAccountId'),
        Actions: list('ActionName'),
      }),
      output: none,
    },
    RemovePermission: { input: struct({ QueueUrl: S, Label: S }), output: none },
    SendMessage: { input: struct({ QueueUrl: S, ...sendMembers }), output: struct(sendResult) },
    SendMessageBatch: {
      input: struct({
        QueueUrl: S,
        Entries: list('SendMessageBatchRequestEntry', struct({ Id: S, ...sendMembers })),
      }),
      output: struct({
        Successful: list('SendMessageBatchResultEntry', struct({ Id: S, ...sendResult })),
        Failed: batchError,
      }),
    },
    DeleteMessage: { input: struct({ QueueUrl: S, ReceiptHandle: S }), output: none },
    DeleteMessageBatch: {
      input: struct({
        QueueUrl: S,
        Entries: list('DeleteMessageBatchRequestEntry', struct({ Id: S, ReceiptHandle: S })),
      }),
      output: idBatchResult('DeleteMessageBatchResultEntry'),
    },
    ChangeMessageVisibility: {
      input: struct({ QueueUrl: S, ReceiptHandle: S, VisibilityTimeout: I }),
      output: none,
    },
    ChangeMessageVisibilityBatch: {
      input: struct({
        QueueUrl: S,
        Entries: list(
          'ChangeMessageVisibilityBatchRequestEntry',
          struct({ Id: S, ReceiptHandle: S, VisibilityTimeout: I }),
        ),
      }),
      output: idBatchResult('ChangeMessageVisibilityBatchResultEntry'),
    },
    ReceiveMessage: {
      input: struct({
        QueueUrl: S,
        AttributeNames: list('AttributeName'),
        MessageSystemAttributeNames: list('MessageSystemAttributeName'),
        MessageAttributeNames: list('MessageAttributeName'),
        MaxNumberOfMessages: I,
        VisibilityTimeout: I,
        WaitTimeSeconds: I,
        ReceiveRequestAttemptId: S,
      }),
      output: struct({
        Messages: list(
          'Message',
          struct({ Attributes: queueAttributes, MessageAttributes: messageAttributes }),
        ),
      }),
    },
    StartMessageMoveTask: {
      input: struct({ SourceArn: S, DestinationArn: S, MaxNumberOfMessagesPerSecond: I }),
      output: struct({ TaskHandle: S }),
    },
    ListMessageMoveTasks: {
      input: struct({ SourceArn: S, MaxResults: I }),
      output: struct({ Results: list('ListMessageMoveTasksResultEntry', struct({})) }),
    },
    CancelMessageMoveTask: {
      input: struct({ TaskHandle: S }),
      output: struct({ ApproximateNumberOfMessagesMoved: I }),
    },
  } satisfies Record<string, QueryAction>),
);
