import type { TargetInput } from '../../../bus/targets.js';
import { compact } from '../aws/output.js';
import {
  optInt,
  optObject,
  optString,
  optStringList,
  optStringMap,
  reqString,
  type WireObject,
} from '../aws/input.js';
import { optDeadLetterConfig, refuseMember } from './wire.js';

/** Wire ↔ library conversion of EventBridge `Target` structures (PascalCase ↔ camelCase). */

/** Target members for AWS services Ballast has no counterpart of: refused per target, never ignored. */
const FOREIGN_PARAMETERS = [
  'KinesisParameters',
  'RunCommandParameters',
  'EcsParameters',
  'BatchParameters',
  'RedshiftDataParameters',
  'SageMakerPipelineParameters',
  'AppSyncParameters',
] as const;

/** One wire `Target` → the library's target; `label` (e.g. `Targets[0]`) prefixes member names in errors. */
export function targetFromWire(t: WireObject, label: string): TargetInput {
  for (const name of FOREIGN_PARAMETERS)
    refuseMember(
      t,
      name,
      'Ballast delivers to queues, API destinations and registered functions only.',
    );
  const target: TargetInput = {
    id: reqString(t, 'Id', `${label}.Id`),
    arn: reqString(t, 'Arn', `${label}.Arn`),
  };
  const input = optString(t, 'Input', `${label}.Input`);
  const inputPath = optString(t, 'InputPath', `${label}.InputPath`);
  const transformer = optObject(t, 'InputTransformer', `${label}.InputTransformer`);
  const retry = optObject(t, 'RetryPolicy', `${label}.RetryPolicy`);
  const deadLetterConfig = optDeadLetterConfig(t, `${label}.DeadLetterConfig`);
  const sqs = optObject(t, 'SqsParameters', `${label}.SqsParameters`);
  const http = optObject(t, 'HttpParameters', `${label}.HttpParameters`);
  if (input !== undefined) target.input = input;
  if (inputPath !== undefined) target.inputPath = inputPath;
  if (transformer) {
    const at = `${label}.InputTransformer`;
    target.inputTransformer = compact({
      inputPathsMap: optStringMap(transformer, 'InputPathsMap', `${at}.InputPathsMap`),
      inputTemplate: reqString(transformer, 'InputTemplate', `${at}.InputTemplate`),
    });
  }
  if (retry) {
    target.retryPolicy = compact({
      maximumRetryAttempts: optInt(
        retry,
        'MaximumRetryAttempts',
        `${label}.RetryPolicy.MaximumRetryAttempts`,
      ),
      maximumEventAgeInSeconds: optInt(
        retry,
        'MaximumEventAgeInSeconds',
        `${label}.RetryPolicy.MaximumEventAgeInSeconds`,
      ),
    });
  }
  if (deadLetterConfig) target.deadLetterConfig = deadLetterConfig;
  const messageGroupId =
    sqs === undefined
      ? undefined
      : optString(sqs, 'MessageGroupId', `${label}.SqsParameters.MessageGroupId`);
  if (messageGroupId !== undefined) target.sqsParameters = { messageGroupId };
  if (http) {
    const at = `${label}.HttpParameters`;
    target.httpParameters = compact({
      pathParameterValues: optStringList(http, 'PathParameterValues', `${at}.PathParameterValues`),
      headerParameters: optStringMap(http, 'HeaderParameters', `${at}.HeaderParameters`),
      queryStringParameters: optStringMap(
        http,
        'QueryStringParameters',
        `${at}.QueryStringParameters`,
      ),
    });
  }
  return target;
}

/** A library target → the wire `Target` ListTargetsByRule answers with. */
export function targetToWire(t: TargetInput): object {
  const tr = t.inputTransformer;
  const retry = t.retryPolicy;
  const http = t.httpParameters;
  return compact({
    Id: t.id,
    Arn: t.arn,
    Input: t.input,
    InputPath: t.inputPath,
    InputTransformer:
      tr && compact({ InputPathsMap: tr.inputPathsMap, InputTemplate: tr.inputTemplate }),
    RetryPolicy:
      retry &&
      compact({
        MaximumRetryAttempts: retry.maximumRetryAttempts,
        MaximumEventAgeInSeconds: retry.maximumEventAgeInSeconds,
      }),
    DeadLetterConfig: t.deadLetterConfig && { Arn: t.deadLetterConfig.arn },
    SqsParameters: t.sqsParameters && { MessageGroupId: t.sqsParameters.messageGroupId },
    HttpParameters:
      http &&
      compact({
        PathParameterValues: http.pathParameterValues,
        HeaderParameters: http.headerParameters,
        QueryStringParameters: http.queryStringParameters,
      }),
  });
}
