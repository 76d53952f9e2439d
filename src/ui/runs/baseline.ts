/** The curves of runs as chart series: a run's own, and the baseline's, drawn dashed beside the live ones. Pure. */
import type { EpochResult } from '../../shared/protocol';
import type { Series } from '../charts/chartData';

export type EpochKey = 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy';

/** One figure of every trained epoch (and of epoch 0, the untrained model, where measured) as points. */
export function epochPoints(epochs: readonly EpochResult[], key: EpochKey): { x: number; y: number }[] {
  return epochs.flatMap((e) => (e[key] === null ? [] : [{ x: e.epoch, y: e[key] }]));
}

/** The baseline's curves for `keys`, dashed, named "<prefix> <key>". Series without points are left out. */
export function baselineSeries(
  epochs: readonly EpochResult[],
  keys: readonly EpochKey[],
  prefix: string,
  names?: Record<EpochKey, string>,
): Series[] {
  return keys
    .map((key) => ({ name: `${prefix} ${names?.[key] ?? key}`, points: epochPoints(epochs, key), dashed: true }))
    .filter((series) => series.points.length > 0);
}
