/**
 * tfjs-vis charts, rendered on the main thread from the plain numbers the worker posts. Redraws
 * are throttled (a vega redraw costs tens of milliseconds; a batch event comes every 100 ms), and
 * each chart has a data table beside it for screen readers and exact values.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { nextTask, whenIdle } from '../hooks/idle';
import { useStrings } from '../i18n/I18n';
import { alignSeries, type Series } from './chartData';

export type { Series };

/**
 * tfjs-vis, fetched once, on the first draw or the warm-up (whichever comes first). Its code (vega
 * and all, 1.2 MB) took one 100-150 ms task to evaluate on the test machine: it comes in three
 * chunks, evaluated one task after another (vega's runtime; vega-lite and vega-embed; tfjs-vis).
 */
let visModule: Promise<typeof import('./vis')> | null = null;
const vis = () =>
  (visModule ??= (async () => {
    await import('./vegaRuntime');
    await nextTask();
    await import('./vegaEmbed');
    await nextTask();
    return import('./vis');
  })());

/** At most one redraw of a chart per this many milliseconds while data streams in. */
const REDRAW_INTERVAL_MS = 1500;

/**
 * Draws run one per task, in order: three charts redrawn in the same tick would make one long
 * task that a user feels as a stutter.
 */
const drawQueue: (() => Promise<void>)[] = [];
let draining = false;
function enqueueDraw(draw: () => Promise<void>): void {
  drawQueue.push(draw);
  if (draining) return;
  draining = true;
  const next = () => {
    const job = drawQueue.shift();
    if (!job) {
      draining = false;
      return;
    }
    void job().finally(() => setTimeout(next, 0));
  };
  setTimeout(next, 0);
}

/** Runs `draw` on the container when `data` changes, at most once per REDRAW_INTERVAL_MS, last change always drawn. */
function useThrottledDraw<T>(data: T, draw: (container: HTMLElement, data: T) => Promise<void>) {
  const container = useRef<HTMLDivElement>(null);
  const latest = useRef({ data, draw });
  const [tick, setTick] = useState(0);
  const lastDraw = useRef(-Infinity);
  /** Data changed while the page was hidden: draw when it is shown. */
  const hiddenChange = useRef(false);
  // Declared before the draw effect, so the timer it sets always sees the newest data and draw.
  useEffect(() => {
    latest.current = { data, draw };
  });

  useEffect(() => {
    const wait = lastDraw.current + REDRAW_INTERVAL_MS - performance.now();
    const timer = setTimeout(
      () => {
        const element = container.current;
        if (!element) return;
        // A hidden page draws nothing (its main thread is the worker's neighbour): the latest data
        // is drawn once, when the page is shown again.
        if (document.visibilityState === 'hidden') {
          hiddenChange.current = true;
          return;
        }
        lastDraw.current = performance.now();
        enqueueDraw(() =>
          latest.current.draw(element, latest.current.data).catch((error: unknown) => {
            element.textContent = `chart failed: ${error instanceof Error ? error.message : String(error)}`;
          }),
        );
      },
      Math.max(0, wait),
    );
    return () => clearTimeout(timer);
  }, [data, tick]);

  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState !== 'visible' || !hiddenChange.current) return;
      hiddenChange.current = false;
      setTick((t) => t + 1);
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  // Redraw at the new width when the container is resized (a rotated tablet, a projector).
  useEffect(() => {
    const element = container.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    // The width is read in the observer's callback, where layout is already done: read here, in
    // the effect, it forced the first layout of the whole page in the task that mounted it.
    let width: number | null = null;
    const observer = new ResizeObserver(() => {
      const now = element.clientWidth;
      if (width !== null && Math.abs(now - width) <= 8) return;
      if (width !== null) setTick((t) => t + 1);
      width = now;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  return container;
}

interface LineChartProps {
  testId: string;
  /**
   * 'line': epochs, joined by lines, whole-number ticks (vite.config.ts makes tfjs-vis's linechart
   * plot each point at its x and adds `integerX`); 'points' (a scatterplot): downsampled batch numbers.
   */
  kind?: 'line' | 'points';
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  yDomain?: [number, number];
}

/** A tfjs-vis line chart (or scatterplot) with labelled series, and the same numbers as a table. */
export function LineChart({ testId, title, series, xLabel, yLabel, yDomain, kind = 'line' }: LineChartProps) {
  const strings = useStrings();
  const shown = useMemo(
    () => (series.some((s) => s.points.length > 0) ? series.filter((s) => s.points.length > 0 || s.expected) : []),
    [series],
  );
  const container = useThrottledDraw(shown, async (element, data) => {
    if (data.length === 0) return;
    const lines = kind === 'line' ? alignSeries(data) : data;
    const values = { values: lines.map((s) => s.points), series: lines.map((s) => s.name) };
    // A dashed series takes the colour of the solid one it mirrors (the same position among its kind).
    let solid = 0;
    let dashed = 0;
    const colors = lines.map((s) => SERIES_COLORS[(s.dashed ? dashed++ : solid++) % SERIES_COLORS.length]!);
    const options = {
      xLabel,
      yLabel,
      width: Math.max(200, element.clientWidth),
      height: 220,
      seriesColors: colors,
    };
    const { linechart, scatterplot } = await vis();
    if (kind === 'points') await scatterplot(element, values, { ...options, zoomToFit: true });
    else
      await linechart(element, values, {
        ...options,
        zoomToFit: yDomain === undefined,
        yAxisDomain: yDomain,
        integerX: true,
        dashedSeries: lines.filter((s) => s.dashed).map((s) => s.name),
      } as LineOptions);
    // What the canvas shows (data-points on the figure is what it is given): they differ while the page is hidden.
    element.dataset.drawnPoints = String((data.find((s) => !s.dashed) ?? data[0]!).points.length);
    element.dataset.drawnDashes = String(dashedLines(element));
    element.dataset.drawnSeries = JSON.stringify(
      lines.map((s) => ({ name: s.name, dashed: s.dashed === true, points: s.points.filter((p) => !Number.isNaN(p.y)).length })),
    );
  });
  const table = useMemo(() => alignSeries(shown), [shown]);
  const rows = table[0]?.points.map((p, i) => [p.x, ...table.map((s) => s.points[i]?.y)]) ?? [];
  return (
    <figure
      className="chart"
      data-testid={testId}
      data-points={shown.find((s) => !s.dashed)?.points.length ?? 0}
      data-series={JSON.stringify(shown.map((s) => ({ name: s.name, dashed: s.dashed === true, points: s.points.length })))}
    >
      <figcaption>{title}</figcaption>
      <div ref={container} className="chart__canvas" aria-hidden="true" />
      <details className="chart__table">
        <summary>{strings.evaluate.table}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{xLabel}</th>
              {shown.map((s) => (
                <th key={s.name} scope="col">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(-200).map(([x, ...ys]) => (
              <tr key={x}>
                <th scope="row">{x}</th>
                {ys.map((y, i) => (
                  <td key={i}>{y === undefined || Number.isNaN(y) ? '' : y.toFixed(4)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** A vega scenegraph node: marks hold items, groups hold marks. */
interface SceneNode {
  marktype?: string;
  strokeDash?: number[];
  items?: SceneNode[];
}

/**
 * How many of the lines vega drew are dashed (from the view vite.config.ts keeps on the element), or
 * -1 where there is no view to ask: what a test checks, rather than the spec it was given.
 */
function dashedLines(element: HTMLElement): number {
  const view = (element as HTMLElement & { lenetChart?: { view: { scenegraph(): { root: SceneNode } } } }).lenetChart?.view;
  if (!view) return -1;
  let count = 0;
  const walk = (node: SceneNode) => {
    if (node.marktype === 'line' && node.items?.some((item) => (item.strokeDash?.length ?? 0) > 0)) count++;
    node.items?.forEach(walk);
  };
  walk(view.scenegraph().root);
  return count;
}

/** Blue and orange: told apart with every common colour-vision deficiency (Okabe-Ito). */
const SERIES_COLORS = ['#0072B2', '#E69F00'];

/** linechart's options and `integerX`, which vite.config.ts adds to tfjs-vis. */
type LineOptions = NonNullable<Parameters<typeof import('./vis').linechart>[2]>;

type ConfusionOptions = NonNullable<Parameters<typeof import('./vis').confusionMatrix>[2]>;

/** The tfjs-vis confusion matrix (10x10, labelled 0-9). */
export function ConfusionMatrixChart({ confusion }: { confusion: number[][] }) {
  const strings = useStrings();
  // The axis titles are part of what is drawn: a language switch redraws the matrix.
  const { predicted, truth, digits } = strings.evaluate;
  const data = useMemo(() => ({ values: confusion, predicted, truth, digits }), [confusion, predicted, truth, digits]);
  const container = useThrottledDraw(data, async (element, { values, predicted: xLabel, truth: yLabel, digits: countLabel }) => {
    const side = Math.min(520, Math.max(260, element.clientWidth));
    const { confusionMatrix } = await vis();
    await confusionMatrix(element, { values, tickLabels: values.map((_, i) => String(i)) }, {
      shadeDiagonal: true,
      showTextOverlay: true,
      width: side,
      height: side,
      xLabel,
      yLabel,
      // Names the legend and the tooltips' counts: an option vite.config.ts adds to tfjs-vis.
      countLabel,
    } as ConfusionOptions);
    // What the matrix shows, for automation: the digits it counts, and those on its diagonal (read right).
    element.dataset.drawnTotal = String(values.flat().reduce((a, b) => a + b, 0));
    element.dataset.drawnDiagonal = String(values.reduce((sum, row, i) => sum + row[i]!, 0));
  });
  return <div ref={container} className="chart__canvas chart__canvas--square" aria-hidden="true" />;
}

let warmedUp = false;

/**
 * Loads tfjs-vis and draws a tiny throwaway chart of each kind the page uses while it is idle,
 * each in a task of its own (the module's evaluation, then one chart per task). A first vega draw
 * of a kind costs about 100 ms of one-time setup; paid here, before training, the draws during
 * training stay short.
 */
export function warmUpCharts(): void {
  if (warmedUp || typeof document === 'undefined') return;
  warmedUp = true;
  whenIdle(() => {
    void vis().then(({ linechart, scatterplot, confusionMatrix }) => {
      const host = document.createElement('div');
      host.setAttribute('aria-hidden', 'true');
      host.style.cssText = 'position:absolute;left:-10000px;top:0;width:200px;height:200px;overflow:hidden';
      document.body.append(host);
      const [line, points, matrix] = [0, 1, 2].map(() => host.appendChild(document.createElement('div')));
      const values = [
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      ];
      const two = { values: [values[0]!, values[0]!], series: ['warm-up', 'warm-up 2'] };
      // enqueueDraw starts each in a task of its own, after the one that evaluated the module. The
      // line chart is warmed with the options the epoch charts use (two series, colours, whole-number
      // ticks, a fixed or a fitted y range): their first draws as a run starts then run warmed code
      // (vega-lite compiles a spec's features on paths of their own).
      const lineOptions = {
        width: 150,
        height: 80,
        xLabel: 'x',
        yLabel: 'y',
        seriesColors: SERIES_COLORS,
        integerX: true,
        dashedSeries: [],
      };
      enqueueDraw(() => linechart(line!, two, { ...lineOptions, zoomToFit: true } as LineOptions));
      enqueueDraw(() => linechart(line!, two, { ...lineOptions, zoomToFit: false, yAxisDomain: [0, 1] } as LineOptions));
      enqueueDraw(() => scatterplot(points!, { values, series: ['warm-up'] }, { width: 150, height: 80 }));
      enqueueDraw(async () => {
        const tickLabels = ['0', '1'];
        await confusionMatrix(
          matrix!,
          {
            values: [
              [1, 0],
              [0, 1],
            ],
            tickLabels,
          },
          { width: 120, height: 120 },
        );
        host.remove();
      });
    });
  });
}
