#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { type Output, processOutput } from './output.js';
import { errorText, EXIT_USAGE, exitCodeFor } from './exit.js';
import { runAsBin } from './bin.js';
import { queuesCommand, QUEUES_USAGE } from './commands/queues.js';
import { receiveCommand, RECEIVE_USAGE, sendCommand, SEND_USAGE } from './commands/messages.js';
import { redriveCommand, REDRIVE_USAGE } from './commands/redrive.js';
import { serveCommand, SERVE_USAGE } from './commands/serve.js';
import { eventsCommand, EVENTS_USAGE } from './commands/events.js';
import { healthCommand, HEALTH_USAGE } from './commands/health.js';
import { doctorCommand, DOCTOR_USAGE } from './commands/doctor.js';

const STORE_NOTE = `Commands that read or change state (queues, send, receive, redrive, events) take --store URL
(sqlite:PATH or postgres://…), else $BALLAST_STORE, else ./.ballast/ballast.db when it exists;
ballast serve creates that default store. Exit codes: 0 ok, 1 failure, 2 bad input.`;

interface Command {
  run: (args: string[], io: Output) => Promise<number>;
  usage: string;
}

const COMMANDS: Record<string, Command> = {
  serve: { run: serveCommand, usage: SERVE_USAGE },
  queues: { run: queuesCommand, usage: QUEUES_USAGE },
  send: { run: sendCommand, usage: SEND_USAGE },
  receive: { run: receiveCommand, usage: RECEIVE_USAGE },
  redrive: { run: redriveCommand, usage: REDRIVE_USAGE },
  events: { run: eventsCommand, usage: EVENTS_USAGE },
  health: { run: healthCommand, usage: HEALTH_USAGE },
  doctor: { run: doctorCommand, usage: DOCTOR_USAGE },
};

const USAGE = `ballast — fail-safe interactions for distributed workloads
ballast --version | ballast help [COMMAND] | ballast COMMAND --help

${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n')}

${STORE_NOTE}`;

/** The package version (package.json, two folders above this file in src/ and dist/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

/** Runs the CLI with `argv` (without node and script); returns the exit code (0 ok, 1 failure, 2 bad input). */
export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) return (io.err(USAGE), EXIT_USAGE);
  if (isHelp(name)) return (io.out(USAGE), 0);
  if (name === '--version' || name === '-v' || name === 'version') return (io.out(version()), 0);
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    return (io.out(topic ? topic.usage : USAGE), rest[0] === undefined || topic ? 0 : EXIT_USAGE);
  }
  const command = COMMANDS[name];
  if (!command) return (io.err(`ballast: unknown command "${name}"\n\n${USAGE}`), EXIT_USAGE);
  // --help anywhere after a command shows that command's usage, whatever else is on the line.
  if (rest.some(isHelp)) return (io.out(command.usage), 0);
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(errorText(name, error));
    return exitCodeFor(error);
  }
}

// Run when executed as the `ballast` bin, not when imported by tests.
const invoked = process.argv[1] ?? '';
if (
  import.meta.url === `file://${invoked}` ||
  invoked.endsWith('/ballast') ||
  invoked.endsWith('cli/main.js')
)
  runAsBin(main);
