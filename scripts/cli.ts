#!/usr/bin/env node
/**
 * The `convcheck` command line. Each subcommand lives in scripts/commands/ and
 * registers itself on the program; this file only wires them and maps errors
 * to exit codes: a bad argument, file or problem prints one line and exits 2.
 */
import { CommanderError } from 'commander';
import { ProblemError } from '../reference/index.ts';
import { exitHarness, installSignalHandlers, shutdownInProgress } from './check/shutdown.ts';
import { EXIT_USAGE, UsageError } from './cli-error.ts';
import { buildProgram } from './program.ts';

const program = buildProgram();

// SIGINT/SIGTERM: kernel process groups are killed, then exit 130/143.
installSignalHandlers();

// A reader that stops early (`convcheck check | head`) is not an error: the run
// goes on (its reports are still written) and exits with its own code; only
// stdout is dropped.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE' || stdoutClosed) {
    stdoutClosed = true;
    return;
  }
  throw e;
});

async function fatal(message: string): Promise<never> {
  process.stderr.write(`convcheck: ${message}\n`);
  return exitHarness(EXIT_USAGE);
}

try {
  await program.parseAsync(process.argv);
  // The work is done: whatever a kernel left behind (a process that escaped its
  // group still holding a pipe, a timer) must not keep the harness alive.
  await exitHarness(Number(process.exitCode ?? 0));
} catch (e) {
  await shutdownInProgress();
  if (e instanceof CommanderError) {
    await exitHarness(e.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (e instanceof UsageError || e instanceof ProblemError) {
    await fatal(e.message);
  }
  throw e;
}
