import { describe, expect, it } from 'vitest';
import { createProgress, progressLine } from './progress.ts';

function recorder(isTTY: boolean) {
  const written: string[] = [];
  let clock = 1_000_000;
  const progress = createProgress({
    stream: { isTTY, write: (s: string) => written.push(s) > 0 },
    now: () => clock,
  });
  return { written, progress, advance: (ms: number) => (clock += ms) };
}

describe('progress', () => {
  it('on a TTY shows done/total, the current case, elapsed time and ETA', () => {
    const { written, progress, advance } = recorder(true);
    progress.phaseStart('im2col / network layers', 4);
    progress.current?.('vgg16/conv1_1');
    advance(10_000);
    progress.tick(1);
    advance(100);
    progress.current?.('vgg16/conv1_2');
    const last = written.at(-1)!;
    expect(last).toContain('1/4 im2col / network layers · vgg16/conv1_2 · 10 s elapsed, ETA 30 s');
    progress.phaseEnd('PASS');
    expect(written.at(-1)).toBe('\r\x1b[K  im2col / network layers: PASS\n');
  });

  it('off a TTY prints one line at the start and one at the end of a phase', () => {
    const { written, progress, advance } = recorder(false);
    progress.phaseStart('im2col / real data', 3);
    progress.current?.('xcorr:…');
    advance(500);
    progress.tick(1);
    progress.tick(3);
    progress.phaseEnd('PASS');
    expect(written).toEqual([
      'convcheck: im2col / real data: running 3 cases\n',
      'convcheck: im2col / real data: PASS\n',
    ]);
  });

  it('says ETA ? before the first case ends', () => {
    expect(progressLine({ label: 'x', done: 0, total: 9, current: '', elapsedMs: 65_000 })).toMatch(
      /0\/9 x · 1 min 05 s elapsed, ETA \?$/,
    );
  });
});
