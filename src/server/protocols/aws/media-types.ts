/** Content type of AWS JSON 1.0 protocols (SQS, later Step Functions), requests and responses. */
export const AMZ_JSON_1_0 = 'application/x-amz-json-1.0';

/** Content type of AWS JSON 1.1 protocols (EventBridge, later Kinesis), requests and responses. */
export const AMZ_JSON_1_1 = 'application/x-amz-json-1.1';

/** The media type of a Content-Type header, without parameters (`; charset=…`), lower-cased; `''` when absent. */
export const mediaType = (header: string | null | undefined): string =>
  (header ?? '').split(';')[0]!.trim().toLowerCase();

/** Content type of the query protocols' requests (SQS query: `Action=…&Version=…` form posts). */
export const FORM_URLENCODED = 'application/x-www-form-urlencoded';
