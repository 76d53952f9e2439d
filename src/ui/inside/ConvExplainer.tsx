import { memo, useEffect, useMemo, useState } from 'react';
import type { ConvFilters, LayerActivation } from '../../shared/protocol';
import { GrayCanvas } from '../digits/GrayCanvas';
import { HeatCanvas } from '../digits/HeatCanvas';
import { channel, convStep, diverging, kernelSlice, maxAbs, type Rgb } from './heatmap';
import { useStrings } from '../i18n/I18n';

/** Steps per second while playing: slow enough to follow the window with the eyes. */
const PLAY_STEPS_PER_SECOND = 8;

interface ConvExplainerProps {
  /** conv1's input: the 28x28 digit, or the padded 32x32 of the classic preset. */
  input: { size: number; pixels: Float32Array };
  /** conv1's output as the worker computed it. */
  output: LayerActivation;
  filters: ConvFilters;
}

/**
 * The seed's first picture, live: a 5x5 window steps over the input; at each position the
 * window's pixels, the kernel, their products, the sum, the bias and the activation give one
 * pixel of the feature map, which lights up. Computed here from the worker's numbers, and shown
 * next to the worker's own value for that pixel: they agree.
 */
// Memoized: the app re-renders at every batch event while training; this follows only its inputs.
export const ConvExplainer = memo(function ConvExplainer({ input, output, filters }: ConvExplainerProps) {
  const strings = useStrings();
  const s = strings.inside;
  const [k, , , outs] = filters.shape;
  const outSize = input.size - k + 1;
  const total = outSize * outSize;
  const [filter, setFilter] = useState(0);
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const at = Math.min(position, total - 1);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => setPosition((p) => (p + 1) % total), 1000 / PLAY_STEPS_PER_SECOND);
    return () => clearInterval(timer);
  }, [playing, total]);

  const kernel = useMemo(() => kernelSlice(filters.kernel, filters.shape, 0, filter), [filters, filter]);
  const kernels = useMemo(() => Array.from({ length: outs }, (_, j) => kernelSlice(filters.kernel, filters.shape, 0, j)), [filters, outs]);
  const allRange = maxAbs(filters.kernel);
  const bias = filters.bias[filter] ?? 0;
  const step = convStep(input.pixels, input.size, kernel, k, bias, filters.activation, at);
  const map = useMemo(() => channel(output.values, output.shape, filter), [output, filter]);
  // The feature map so far: the pixels up to this position, the rest not computed yet.
  const soFar = useMemo(() => map.map((v, i) => (i <= at ? v : NaN)), [map, at]);
  const mapRange = maxAbs(map);
  const kernelRange = maxAbs(kernel);
  const productRange = maxAbs(step.products);
  const box = (x: number, y: number, size: number, of: number) => ({
    left: `${(x / of) * 100}%`,
    top: `${(y / of) * 100}%`,
    width: `${(size / of) * 100}%`,
    height: `${(size / of) * 100}%`,
  });

  return (
    <div className="explainer" data-testid="conv-explainer" data-filter={filter} data-position={at}>
      <div className="explainer__controls">
        <span>{s.pickFilter}</span>
        {Array.from({ length: outs }, (_, j) => (
          <button
            key={j}
            type="button"
            className="secondary explainer__filter"
            aria-pressed={j === filter}
            data-testid={`conv-explainer-filter-${j}`}
            onClick={() => setFilter(j)}
          >
            <HeatCanvas
              values={kernels[j]!}
              width={k}
              height={k}
              range={allRange}
              label={s.filterLabel(j + 1)}
              className="explainer__filter-image"
            />
            {j + 1}
          </button>
        ))}
      </div>
      <div className="explainer__controls">
        <label htmlFor="explainer-position">{s.position}</label>
        <input
          id="explainer-position"
          type="range"
          min={0}
          max={total - 1}
          value={at}
          data-testid="conv-explainer-position"
          onChange={(event) => setPosition(Number(event.currentTarget.value))}
        />
        <button type="button" className="secondary" data-testid="conv-explainer-step" onClick={() => setPosition((at + 1) % total)}>
          {s.step}
        </button>
        <button type="button" data-testid="conv-explainer-play" aria-pressed={playing} onClick={() => setPlaying((p) => !p)}>
          {playing ? s.pause : s.play}
        </button>
        <span className="muted" aria-live="off">
          {s.at(step.y, step.x)}
        </span>
      </div>
      <div className="explainer__stage">
        <figure className="explainer__image">
          <div className="overlay-host">
            <GrayCanvas
              image={{ width: input.size, height: input.size, pixels: input.pixels }}
              label={s.inputLabel}
              className="map map--large"
            />
            <span className="overlay overlay--window" style={box(step.x, step.y, k, input.size)} />
          </div>
          <figcaption>{s.inputCaption(input.size)}</figcaption>
        </figure>
        <figure className="explainer__image">
          <div className="overlay-host">
            <HeatCanvas values={soFar} width={outSize} height={outSize} range={mapRange} label={s.mapSoFar} className="map map--large" />
            <span className="overlay overlay--pixel" style={box(step.x, step.y, 1, outSize)} />
          </div>
          <figcaption>{s.outputCaption(outSize, filter + 1)}</figcaption>
        </figure>
      </div>
      <div className="explainer__arithmetic">
        <NumberGrid title={s.window} values={step.window} k={k} range={1} testId="conv-explainer-window" />
        <span className="explainer__op">×</span>
        <NumberGrid title={s.kernel(filter + 1)} values={Array.from(kernel)} k={k} range={kernelRange} />
        <span className="explainer__op">=</span>
        <NumberGrid title={s.products} values={step.products} k={k} range={productRange} />
        <p className="explainer__sum">
          {s.sum} ={' '}
          <strong data-testid="conv-explainer-sum" data-value={step.sum}>
            {step.sum.toFixed(3)}
          </strong>
          <br />+ {s.bias} {bias.toFixed(3)} = {step.z.toFixed(3)}
          <br />
          {filters.activation}({step.z.toFixed(3)}) ={' '}
          <strong data-testid="conv-explainer-output" data-value={step.output}>
            {step.output.toFixed(3)}
          </strong>
          <br />
          <span className="muted small">
            {s.workerValue}{' '}
            <span data-testid="conv-explainer-map-value" data-value={map[at]}>
              {map[at]?.toFixed(3)}
            </span>
          </span>
        </p>
      </div>
    </div>
  );
});

/** Black or white, whichever contrasts more with the background (one of them always reaches 4.5:1). */
function textOn(background: Rgb): string {
  const linear = background.map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * linear[0]! + 0.7152 * linear[1]! + 0.0722 * linear[2]!;
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000' : '#fff';
}

function NumberGrid({ title, values, k, range, testId }: { title: string; values: number[]; k: number; range: number; testId?: string }) {
  return (
    <table className="number-grid" data-testid={testId}>
      <caption>{title}</caption>
      <tbody>
        {Array.from({ length: k }, (_, r) => (
          <tr key={r}>
            {values.slice(r * k, (r + 1) * k).map((v, c) => {
              const [red, green, blue] = diverging(v, range);
              return (
                <td key={c} style={{ background: `rgb(${red} ${green} ${blue})`, color: textOn([red, green, blue]) }}>
                  {v.toFixed(2)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
