import type { StructShape } from './shapes.js';
import { element, membersXml, SQS_XMLNS, XML_CONTENT_TYPE, xmlText } from './xml.js';

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * The 200 response of action `action`: `<ActionResponse>` holding `<ActionResult>` (the JSON
 * operation's `output` laid out by `shape`; absent when the action has no result, as in SQS) and
 * `<ResponseMetadata><RequestId>`.
 */
export function queryOkResponse(
  action: string,
  shape: StructShape | null,
  output: object,
  requestId: string,
): Response {
  const result =
    shape === null
      ? ''
      : element(
          `${action}Result`,
          membersXml(output as Readonly<Record<string, unknown>>, shape.members),
        );
  const metadata = element('ResponseMetadata', element('RequestId', xmlText(requestId)));
  const body = `${PROLOG}<${action}Response xmlns="${SQS_XMLNS}">${result}${metadata}</${action}Response>`;
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': XML_CONTENT_TYPE, 'x-amzn-RequestId': requestId },
  });
}

/** `<ErrorResponse>` with `<Error><Type>…<Code>…<Message>…` and the request id, as SQS answers failures. */
export function queryErrorBody(
  fault: string,
  code: string,
  message: string,
  requestId: string,
): string {
  const error = element(
    'Error',
    element('Type', xmlText(fault)) +
      element('Code', xmlText(code)) +
      element('Message', xmlText(message)) +
      '<Detail/>',
  );
  return `${PROLOG}<ErrorResponse xmlns="${SQS_XMLNS}">${error}${element('RequestId', xmlText(requestId))}</ErrorResponse>`;
}
