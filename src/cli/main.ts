#!/usr/bin/env node
import { isBallastError } from '../core/errors.js';
import { type Output, processOutput } from './output.js';
import { queuesCommand, QUEUES_USAGE } from './commands/queues.js';
import { receiveCommand, RECEIVE_USAGE, sendCommand, SEND_USAGE } from './commands/messages.js';
import { redriveCommand, REDRIVE_USAGE } from './commands/redrive.js';
import { serveCommand, SERVE_USAGE } from './commands/serve.js';
import { eventsCommand, EVENTS_USAGE } from './commands/events.js';
import { healthCommand, HEALTH_USAGE } from './commands/health.js';
import { doctorCommand, DOCTOR_USAGE } from './commands/doctor.js';

const USAGE = `ballast — fail-safe interactions for distributed workloads

${SERVE_USAGE}
${QUEUES_USAGE}
${SEND_USAGE}
${RECEIVE_USAGE}
${REDRIVE_USAGE}
${EVENTS_USAGE}
${HEALTH_USAGE}
${DOCTOR_USAGE}`;

const COMMANDS: Record<string, (args: string[], io: Output) => Promise<number>> = {
  serve: serveCommand,
  queues: queuesCommand,
  send: sendCommand,
  receive: receiveCommand,
  redrive: redriveCommand,
  events: eventsCommand,
  health: healthCommand,
  doctor: doctorCommand,
};

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`ballast: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (isBallastError(error)) {
      io.err(`ballast ${name}: ${error.code}: ${error.message}`);
      return 1;
    }
    io.err(`ballast ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

// Run when executed as the `ballast` bin, not when imported by tests.
const invoked = process.argv[1] ?? '';
if (
  import.meta.url === `file://${invoked}` ||
  invoked.endsWith('/ballast') ||
  invoked.endsWith('cli/main.js')
) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      // main() answers its commands' errors itself; this reports anything that escapes it.
      process.stderr.write(`ballast: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
