import type { ReliabilityCurve as Curve } from '../../shared/protocol';
import { useFormat, useStrings } from '../i18n/I18n';

const WIDTH = 320;
const HEIGHT = 180;
const PAD = { left: 36, right: 8, top: 8, bottom: 30 };

/**
 * How far to trust the network's confidence: for each band of its top probability on the test set,
 * the share it got right (bars), against what it claimed (the diagonal). Where the bars fall below
 * the diagonal it is overconfident; the Draw panel says "not sure" below its threshold. A plain SVG:
 * nine bars need no chart library, and draw in well under a frame.
 */
export function ReliabilityCurve({ curve }: { curve: Curve }) {
  const strings = useStrings();
  const s = strings.evaluate;
  const format = useFormat();
  const bins = curve.bins;
  const total = bins.reduce((a, b) => a + b.count, 0);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const band = plotW / bins.length;
  const y = (v: number) => PAD.top + (1 - v) * plotH;
  const sureShare = total > 0 ? curve.sure.count / total : 0;
  const sureAccuracy = curve.sure.count > 0 ? curve.sure.correct / curve.sure.count : 0;
  return (
    <figure className="reliability" data-testid="reliability-curve" data-sure-share={sureShare} data-sure-accuracy={sureAccuracy}>
      <figcaption>
        {s.reliability} <span className="muted small">{s.reliabilityLegend}</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={s.reliabilityLabel} className="reliability__plot">
        {[0, 0.5, 1].map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} className="reliability__grid" />
            <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end" className="reliability__tick">
              {format.percent(v, 0)}
            </text>
          </g>
        ))}
        {bins.map((bin, i) => {
          const x = PAD.left + i * band;
          const accuracy = bin.count > 0 ? bin.correct / bin.count : 0;
          return (
            <g key={bin.from} data-from={bin.from} data-count={bin.count} data-correct={bin.correct}>
              {bin.count > 0 ? (
                <rect x={x + 2} width={band - 4} y={y(accuracy)} height={plotH - (y(accuracy) - PAD.top)} className="reliability__bar" />
              ) : null}
              {/* What the network claimed in this band: its mean top probability. */}
              {bin.count > 0 ? (
                <line x1={x + 1} x2={x + band - 1} y1={y(bin.confidence)} y2={y(bin.confidence)} className="reliability__claim" />
              ) : null}
              <text x={x + band / 2} y={HEIGHT - PAD.bottom + 12} textAnchor="middle" className="reliability__tick">
                {Math.round(bin.from * 100)}
              </text>
            </g>
          );
        })}
        <text x={PAD.left + plotW / 2} y={HEIGHT - 4} textAnchor="middle" className="reliability__tick">
          {s.reliabilityAxis}
        </text>
      </svg>
      <p className="small">{s.reliabilitySure(format.percent(sureShare, 1), format.percent(sureAccuracy, 2))}</p>
      <details className="chart__table">
        <summary>{s.reliabilityTable}</summary>
        <table>
          <thead>
            <tr>
              {s.reliabilityColumns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {bins.map((bin) => (
              <tr key={bin.from}>
                <th scope="row">
                  {Math.round(bin.from * 100)}-{Math.round(bin.to * 100)}%
                </th>
                <td>{format.count(bin.count)}</td>
                <td>{bin.count > 0 ? format.percent(bin.confidence, 1) : '–'}</td>
                <td>{bin.count > 0 ? format.percent(bin.correct / bin.count, 1) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
