import { memo, useEffect, useRef } from 'react';
import type { ConvFilters } from '../../shared/protocol';
import { diverging, maxAbs } from './heatmap';
import { shapeText } from './FeatureMaps';
import { useStrings } from '../i18n/I18n';
import { contextOf } from '../digits/pixels';

/**
 * Each convolution's kernels as small images on the diverging scale, one grid per layer: a row
 * per filter, a column per input channel (conv1 has one: its six 5x5 kernels side by side).
 * Redrawn every epoch, so the class sees noise turn into stroke detectors.
 */
export const Filters = memo(function Filters({ filters, epoch }: { filters: ConvFilters[]; epoch: number | null }) {
  const strings = useStrings();
  const s = strings.inside;
  return (
    // data-epoch: the epochs trained when these filters were taken (automation waits on it).
    <div className="filters" data-testid="filters" data-epoch={epoch ?? ''}>
      {filters.map((layer) => {
        const range = maxAbs(layer.kernel);
        return (
          <figure
            key={layer.name}
            className="filters__layer"
            data-testid="filters-layer"
            data-layer={layer.name}
            data-shape={layer.shape.join('x')}
          >
            <KernelGrid layer={layer} range={range} epoch={epoch} />
            <figcaption>
              {s.filtersCaption(layer.name, layer.shape[3], layer.shape[2], shapeText(layer.shape.slice(0, 2)))}
              <Legend range={range} />
            </figcaption>
          </figure>
        );
      })}
    </div>
  );
});

/**
 * One canvas: tiles of kh x kw pixels with a 1-pixel gap; single-input layers laid out in a row.
 * Once drawn, `data-drawn-epoch` says which epoch's filters it shows.
 */
function KernelGrid({ layer, range, epoch }: { layer: ConvFilters; range: number; epoch: number | null }) {
  const strings = useStrings();
  const s = strings.inside;
  const ref = useRef<HTMLCanvasElement>(null);
  const [kh, kw, ins, outs] = layer.shape;
  const row = ins === 1;
  const columns = row ? outs : ins;
  const rows = row ? 1 : outs;
  const width = columns * (kw + 1) - 1;
  const height = rows * (kh + 1) - 1;
  useEffect(() => {
    const context = contextOf(ref.current);
    if (!context) return;
    const image = context.createImageData(width, height);
    image.data.fill(255); // the gaps: white
    for (let out = 0; out < outs; out++) {
      for (let inChannel = 0; inChannel < ins; inChannel++) {
        const left = (row ? out : inChannel) * (kw + 1);
        const top = (row ? 0 : out) * (kh + 1);
        for (let r = 0; r < kh; r++) {
          for (let c = 0; c < kw; c++) {
            const [red, green, blue] = diverging(layer.kernel[((r * kw + c) * ins + inChannel) * outs + out]!, range);
            const at = ((top + r) * width + left + c) * 4;
            image.data[at] = red;
            image.data[at + 1] = green;
            image.data[at + 2] = blue;
          }
        }
      }
    }
    context.putImageData(image, 0, 0);
    // What the canvas shows now: the filters after this many epochs (automation reads it).
    context.canvas.dataset.drawnEpoch = epoch === null ? '' : String(epoch);
  }, [layer, range, width, height, row, kh, kw, ins, outs, epoch]);
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      className={row ? 'kernels kernels--row' : 'kernels'}
      style={{ aspectRatio: `${width} / ${height}` }}
      role="img"
      aria-label={s.filtersLabel(layer.name, outs, ins)}
    />
  );
}

/** The scale: -range blue, 0 white, +range orange. */
export function Legend({ range }: { range: number }) {
  const strings = useStrings();
  const s = strings.inside;
  return (
    <span className="legend">
      <span>{(-range).toFixed(2)}</span>
      <span className="legend__bar" aria-hidden="true" />
      <span>+{range.toFixed(2)}</span>
      <span className="muted small"> {s.legend}</span>
    </span>
  );
}
