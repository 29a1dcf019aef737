/**
 * What the benchmark ran on, printed at the top and stored in the JSON: run
 * times only compare within one run on one machine.
 */
import { createRequire } from 'node:module';
import os from 'node:os';

/** The machine and software of a run. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  /** 1, 5 and 15 minute load averages at the start: others may share the CPU. */
  loadAverage: number[];
  totalMemoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** Versions of the peer packages, 'missing' when not installed. */
  packages: Record<string, string>;
}

const PEER_PACKAGES = [
  'onnxruntime-node',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
];

function packageVersion(name: string): string {
  try {
    const json: unknown = createRequire(import.meta.url)(`${name}/package.json`);
    const version = (json as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'missing';
  }
}

/**
 * Describes this machine now.
 *
 * @example
 * ```ts
 * const m = machineInfo(); // { cpuModel: 'AMD EPYC …', cores: 2, … }
 * ```
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    packages: Object.fromEntries(PEER_PACKAGES.map((name) => [name, packageVersion(name)])),
  };
}

/**
 * One line for the top of the table.
 *
 * @example
 * ```ts
 * console.log(formatMachine(machineInfo()));
 * ```
 */
export function formatMachine(m: MachineInfo): string {
  return (
    `machine: ${m.cpuModel}, ${m.cores} cores, load ${m.loadAverage.join(' ')}, ` +
    `${m.totalMemoryGiB} GiB, node ${m.node}, ${m.os}, ${m.date}`
  );
}
