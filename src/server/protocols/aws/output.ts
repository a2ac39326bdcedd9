/** Drops undefined members so responses carry only what applies. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** A 200 response of an AWS JSON protocol: `output` (`{}` when none) as `contentType`. */
export function jsonOkResponse(output: unknown, contentType: string, requestId: string): Response {
  return new Response(JSON.stringify(output ?? {}), {
    status: 200,
    headers: { 'Content-Type': contentType, 'x-amzn-RequestId': requestId },
  });
}
