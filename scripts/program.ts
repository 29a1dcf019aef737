/**
 * The `convcheck` command tree, built without parsing anything, so that the
 * CLI (cli.ts) runs it and tests can read its options (the docs-vs-CLI test).
 */
import { Command } from 'commander';
import { registerCheck } from './commands/check.ts';
import { registerFixtures } from './commands/fixtures.ts';
import { registerParams } from './commands/params.ts';
import { registerShape } from './commands/shape.ts';

/**
 * A fresh `convcheck` program with every subcommand registered.
 *
 * @example
 * ```ts
 * await buildProgram().parseAsync(process.argv);
 * ```
 */
export function buildProgram(): Command {
  const program = new Command('convcheck')
    .description('Conformance harness for convolution kernels')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerShape(program);
  registerParams(program);
  registerCheck(program);
  registerFixtures(program);
  return program;
}
