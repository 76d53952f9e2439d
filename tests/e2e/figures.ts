/**
 * Measured figures and the floors the tests hold them to. A seeded run on the WASM backend is
 * deterministic, so each figure a test checks (an accuracy, a count of digits read right) was
 * measured once, by the tests themselves in recording mode, and is asserted about one point below
 * that value: a floor that a real regression falls through, not one fifteen points down.
 *
 * Recording: `RECORD_FIGURES=1 npm run test:e2e` writes every figure the run measures to
 * tests/e2e/figures.json (with the date and the machine) instead of asserting it; the README's
 * figures are copied from that file, so the README and the floors come from the same run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { expect } from 'vitest';

const FILE = 'tests/e2e/figures.json';
const recording = process.env.RECORD_FIGURES === '1';

interface Recorded {
  recorded: string;
  machine: string;
  command: string;
  figures: Record<string, number>;
}

function read(): Recorded {
  try {
    return JSON.parse(readFileSync(FILE, 'utf8')) as Recorded;
  } catch {
    return { recorded: '', machine: '', command: '', figures: {} };
  }
}

/** The recorded value of a figure (fails the test when it was never recorded). */
export function recorded(name: string): number {
  const value = read().figures[name];
  if (value === undefined) throw new Error(`no recorded figure "${name}" in ${FILE}: run RECORD_FIGURES=1 npm run test:e2e`);
  return value;
}

/**
 * Checks a measured figure against its recorded value: at most `tolerance` below it (a fraction
 * for accuracies: 0.01 is one point; a count for counts). In recording mode, records it instead.
 */
export function expectFigure(name: string, measured: number, tolerance: number): void {
  console.log(`figure ${name}: ${measured}`);
  if (recording) {
    const file = read();
    file.figures[name] = Math.round(measured * 1e6) / 1e6; // 0.913, not 0.9129999999999999
    file.recorded = new Date().toISOString();
    file.machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
    file.command = 'RECORD_FIGURES=1 npm run test:e2e';
    file.figures = Object.fromEntries(Object.entries(file.figures).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(FILE, `${JSON.stringify(file, null, 2)}\n`);
    return;
  }
  expect(measured, `${name}: measured ${measured}, recorded ${recorded(name)} (floor ${tolerance} below)`).toBeGreaterThanOrEqual(
    recorded(name) - tolerance,
  );
}

/** One accuracy point, as a fraction. */
export const POINT = 0.01;
