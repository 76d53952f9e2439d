import { memo } from 'react';
import type { LayerActivation } from '../../shared/protocol';
import { GrayCanvas } from '../digits/GrayCanvas';
import { HeatCanvas } from '../digits/HeatCanvas';
import { channel, maxAbs } from './heatmap';
import { useStrings } from '../i18n/I18n';

/** "24×24×6", as the seed's walkthrough writes shapes. */
export const shapeText = (shape: readonly number[]) => shape.join('×');

/**
 * Every layer's output for one digit: the input, each convolution's and pooling's maps (one per
 * channel, on one colour scale per layer so they compare), the dense layers as bars.
 */
export const FeatureMaps = memo(function FeatureMaps({ input, activations }: { input: Float32Array; activations: LayerActivation[] }) {
  const strings = useStrings();
  const s = strings.inside;
  return (
    <div className="feature-maps" data-testid="feature-maps">
      <LayerRow name="input" type={s.inputType} shape={[28, 28, 1]}>
        <GrayCanvas image={{ width: 28, height: 28, pixels: input }} label={s.inputLabel} className="map map--input" />
      </LayerRow>
      {activations.map((layer, i) => (
        <LayerRow key={layer.name} name={layer.name} type={layer.type} shape={layer.shape}>
          {layer.shape.length === 3 ? (
            <Maps layer={layer} />
          ) : (
            <Bars values={layer.values} labelled={i === activations.length - 1} name={layer.name} />
          )}
        </LayerRow>
      ))}
    </div>
  );
});

function LayerRow({ name, type, shape, children }: { name: string; type: string; shape: number[]; children: React.ReactNode }) {
  const strings = useStrings();
  const s = strings.inside;
  return (
    <section className="layer-row" data-testid="feature-map-layer" data-layer={name} data-shape={shape.join('x')}>
      <h4 className="layer-row__title">
        {name} <span className="muted">· {s.layerTypes[type as keyof typeof s.layerTypes] ?? type} ·</span> {shapeText(shape)}
      </h4>
      <div className="layer-row__maps">{children}</div>
    </section>
  );
}

function Maps({ layer }: { layer: LayerActivation }) {
  const strings = useStrings();
  const s = strings.inside;
  const [height = 1, width = 1, channels = 1] = layer.shape;
  const range = maxAbs(layer.values);
  return (
    <>
      {Array.from({ length: channels }, (_, c) => (
        <HeatCanvas
          key={c}
          values={channel(layer.values, layer.shape, c)}
          width={width}
          height={height}
          range={range}
          label={s.mapLabel(layer.name, c + 1)}
          className="map"
          data-channel={c}
        />
      ))}
    </>
  );
}

/** A dense layer's units as bars (up: positive, down: negative); the output's ten with their digits. */
function Bars({ values, labelled, name }: { values: Float32Array; labelled: boolean; name: string }) {
  const strings = useStrings();
  const s = strings.inside;
  const range = maxAbs(values);
  return (
    <div className={labelled ? 'unit-bars unit-bars--output' : 'unit-bars'} role="img" aria-label={s.barsLabel(name, values.length)}>
      {Array.from(values, (v, i) => (
        <span key={i} className="unit-bars__unit" data-value={v} title={`${i}: ${v.toFixed(3)}`}>
          <span
            className={v < 0 ? 'unit-bars__bar unit-bars__bar--negative' : 'unit-bars__bar'}
            style={{ height: `${(Math.abs(v) / range) * 50}%` }}
          />
          {labelled ? <span className="unit-bars__label">{i}</span> : null}
        </span>
      ))}
    </div>
  );
}
