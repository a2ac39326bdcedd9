/**
 * EventBridge limits and defaults (reference/eventbridge.md §5). Each is a configurable limit:
 * pass `busLimits` to `openBallast` to change one.
 */
export interface BusLimits {
  /** Entries per putEvents call. @defaultValue 10 */
  maxEntriesPerPut: number;
  /** Largest entry (EventBridge's entry-size rule), bytes. @defaultValue 1_048_576 */
  maxEventBytes: number;
  /**
   * Deepest nesting of objects and arrays in an event, the envelope being 1 and `detail` 2 (AWS
   * processes 1,000 levels). A deeper `Detail` is refused at PutEvents with `MalformedDetail`. @defaultValue 1_000
   */
  maxEventDepth: number;
  /** Targets per rule. @defaultValue 5 */
  maxTargetsPerRule: number;
  /** Rules per bus. @defaultValue 300 */
  maxRulesPerBus: number;
  /** Event buses, the default one included. @defaultValue 100 */
  maxBuses: number;
  /** Longest `Input` and `InputTemplate`, characters. @defaultValue 8192 */
  maxInputLength: number;
  /** Longest `InputPath` and InputPathsMap path, characters. @defaultValue 256 */
  maxInputPathLength: number;
  /** Entries of an `InputPathsMap`. @defaultValue 100 */
  maxInputPathsMapEntries: number;
  /** Longest `DetailType` and `Source`, characters. @defaultValue 256 */
  maxDetailTypeLength: number;
  /** Longest resource ARN in an event, characters. @defaultValue 2048 */
  maxResourceLength: number;
  /** Longest description, characters. @defaultValue 512 */
  maxDescriptionLength: number;
  /** How long events and their delivery traces are kept, seconds. @defaultValue 86_400 */
  traceRetentionSeconds: number;
}

/** EventBridge's own numbers (trace retention is Ballast's). */
export const DEFAULT_BUS_LIMITS = {
  maxEntriesPerPut: 10,
  maxEventBytes: 1_048_576,
  maxEventDepth: 1_000,
  maxTargetsPerRule: 5,
  maxRulesPerBus: 300,
  maxBuses: 100,
  maxInputLength: 8192,
  maxInputPathLength: 256,
  maxInputPathsMapEntries: 100,
  maxDetailTypeLength: 256,
  maxResourceLength: 2048,
  maxDescriptionLength: 512,
  traceRetentionSeconds: 86_400,
} as const satisfies BusLimits;
