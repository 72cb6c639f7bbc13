#!/usr/bin/env node
import { run } from './cli.js';
import { EXIT } from './exit.js';

/**
 * How long a failed command may take to wind down after reporting. Failures close what they opened; this bounds
 * the case where something still holds the event loop (a PC/SC host, a socket), so a failed `cccd agent` never
 * looks "running" to a service manager with nothing listening. The one-line report was written a second earlier.
 */
const FAILED_EXIT_GRACE_MS = 1000;

// `cccd … | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// The environment carries the documented LANG/LC_* language choice and the trust-store location (docs/cli.md).
const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// A successful `cccd agent` keeps serving after run() returns, so only failures are bounded.
if (code !== EXIT.ok) setTimeout(() => process.exit(code), FAILED_EXIT_GRACE_MS).unref();
