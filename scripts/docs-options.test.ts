/**
 * The docs speak the CLI's vocabulary: every `--option` written after a
 * `convcheck <command>` in README.md and docs/*.md (and in README's check
 * option table) is an option that command accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.ts';

const COMMANDS = ['check', 'fixtures generate', 'fixtures verify', 'shape', 'params'] as const;
type CommandName = (typeof COMMANDS)[number];

/** One option as the docs use it. */
interface DocOption {
  file: string;
  line: number;
  command: CommandName;
  option: string;
}

const USE = /convcheck (check|fixtures generate|fixtures verify|shape|params)\b([^`#\n]*)/g;

/** The options of each `convcheck <command> …` use (up to a backtick or a shell comment). */
function docOptions(file: string, text: string): DocOption[] {
  const found: DocOption[] = [];
  text.split('\n').forEach((lineText, i) => {
    const uses = [...lineText.matchAll(USE)].map((m) => [m[1] as CommandName, m[2] ?? ''] as const);
    // README's option table documents `convcheck check`.
    if (/^\| `--/.test(lineText)) uses.push(['check', lineText.split('|')[1] ?? '']);
    for (const [command, text] of uses) {
      // A quoted argument (`--impl-cmd "prog --flag"`) holds the program's options, not ours.
      const rest = text.replace(/"[^"]*"|'[^']*'/g, '""');
      for (const m of rest.matchAll(/(?:^|[\s`[(])(--[a-z][a-z0-9-]*)/g)) {
        found.push({ file, line: i + 1, command, option: m[1]! });
      }
    }
  });
  return found;
}

function commandOf(program: Command, name: CommandName): Command {
  let command = program;
  for (const part of name.split(' ')) {
    command = command.commands.find((c) => c.name() === part)!;
  }
  return command;
}

/**
 * The uses whose option the command does not list in --help: unknown options,
 * and old spellings kept only as hidden aliases (the docs show the current name).
 */
function unknownOptions(uses: DocOption[]): string[] {
  const program = buildProgram();
  return uses
    .filter(
      (u) => !commandOf(program, u.command).options.some((o) => o.long === u.option && !o.hidden),
    )
    .map((u) => `${u.file}:${u.line}: convcheck ${u.command} --help does not list ${u.option}`);
}

describe('docs versus the CLI', () => {
  const files = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
  ];
  const uses = files.flatMap((f) => docOptions(f, readFileSync(f, 'utf8')));

  it('finds the option uses (README documents check, fixtures, shape and params)', () => {
    const commands = new Set(uses.map((u) => u.command));
    for (const c of ['check', 'fixtures generate', 'fixtures verify'] as const) {
      expect(commands).toContain(c);
    }
    expect(uses.length).toBeGreaterThan(20);
  });

  it('every option the docs use is accepted by its command', () => {
    expect(unknownOptions(uses)).toEqual([]);
  });

  it('every option --help lists is documented, as used after its command', () => {
    const program = buildProgram();
    const documented = new Set(uses.map((u) => `${u.command} ${u.option}`));
    const undocumented = COMMANDS.flatMap((name) =>
      commandOf(program, name)
        .options.filter((o) => !o.hidden && o.long !== undefined)
        .map((o) => `${name} ${o.long}`),
    ).filter((key) => !documented.has(key));
    expect(undocumented).toEqual([]);
  });

  it('catches an option a command does not have', () => {
    const bad = docOptions(
      'x.md',
      'run `npx convcheck fixtures verify fx --timeout-ms 5 --kernal k.mjs`',
    );
    expect(unknownOptions(bad)).toEqual([
      'x.md:1: convcheck fixtures verify --help does not list --kernal',
    ]);
  });
});
