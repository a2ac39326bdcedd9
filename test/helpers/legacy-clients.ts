/**
 * The real clients of the SQS query protocol, as Debian 12 packages them: `awscli` 2.9
 * (`/usr/bin/aws`) and `python3-boto3` 1.26 (`/usr/bin/python3`). The `aws` and `python3` on
 * PATH may be newer ones that speak SQS JSON, so these absolute paths are always used.
 *
 * When they are missing the suites are skipped with a warning, unless they are required
 * (`CI=true`; `.ci/run` installs them): then they fail loudly.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/** Debian's AWS CLI v2.9 (query protocol for SQS). */
export const DEBIAN_AWS = '/usr/bin/aws';
/** Debian's Python, whose boto3 1.26 speaks the query protocol for SQS. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

function installed(): boolean {
  if (!existsSync(DEBIAN_AWS) || !existsSync(DEBIAN_PYTHON)) return false;
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', 'import boto3'], { stdio: 'ignore', env: clientEnv() });
    return true;
  } catch {
    return false;
  }
}

/**
 * A clean environment for the clients: dummy keys, a region, no config or credentials files,
 * no pager, and nothing from a pyenv or virtualenv that could shadow Debian's packages.
 */
export function clientEnv(
  key: { accessKeyId: string; secretAccessKey: string } = {
    accessKeyId: 'AKIDQUERY',
    secretAccessKey: 'query-secret',
  },
): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/ballast-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ballast-test-aws-credentials',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  };
}

const available = installed();
const required = process.env.CI === 'true';

/**
 * `describe` for a suite that drives the Debian clients: runs it when they are installed;
 * otherwise skips it with a warning, or, in CI, registers a failing test instead.
 */
export function describeLegacyClients(name: string, body: () => void): void {
  if (available) {
    // Each client call starts a Python process: a generous budget for a loaded machine.
    describe(name, { timeout: 90_000 }, body);
    return;
  }
  const how = 'apt-get install -y awscli python3-boto3';
  if (required) {
    describe(name, () => {
      it('finds /usr/bin/aws and boto3 under /usr/bin/python3', () => {
        throw new Error(`Debian's awscli and python3-boto3 are required in CI (${how})`);
      });
    });
    return;
  }
  console.warn(
    `${DEBIAN_AWS} or boto3 for ${DEBIAN_PYTHON} missing: SQS query-protocol client suites skipped (${name}). Install them with: ${how}`,
  );
  describe.skip(name, body);
}

/** What one client run printed and how it ended. */
export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args` with `env`, never rejecting: a failure is a non-zero `code`. */
export function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code =
          error === null ? 0 : typeof error.code === 'number' ? error.code : (error.signal ?? 1);
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}
