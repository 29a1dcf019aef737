#!/usr/bin/env node
/**
 * The `convcheck` command line. Each subcommand lives in scripts/commands/ and
 * registers itself on the program; this file only wires them and maps errors
 * to exit codes: a bad argument, file or problem prints one line and exits 2.
 */
import { CommanderError } from 'commander';
import { ProblemError } from '../reference/index.ts';
import { EXIT_USAGE, UsageError } from './cli-error.ts';
import { buildProgram } from './program.ts';

const program = buildProgram();

// A reader that stops early (`convcheck check | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

function fatal(message: string): never {
  process.stderr.write(`convcheck: ${message}\n`);
  process.exit(EXIT_USAGE);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (e instanceof UsageError || e instanceof ProblemError) {
    fatal(e.message);
  }
  throw e;
}
