import { memo } from 'react';
import type { ModelSummary } from '../../worker/protocol';
import { formatCount } from '../format';
import { strings } from '../strings';
import { Panel } from './Panel';

const s = strings.model;

/** A Keras-style summary of the model in use: layer, output shape, parameters, total. */
export const ModelPanel = memo(function ModelPanel({ summary }: { summary: ModelSummary | null }) {
  return (
    <Panel id="model" title={strings.panels.model}>
      <p>{s.intro}</p>
      {summary ? (
        <table className="summary" data-testid="model-summary" data-total-params={summary.totalParams}>
          <caption>
            {summary.label} — {s.outputShape.toLowerCase()} {summary.inputShape.join(' x ')} in
          </caption>
          <thead>
            <tr>
              <th scope="col">{s.layer}</th>
              <th scope="col">{s.type}</th>
              <th scope="col">{s.outputShape}</th>
              <th scope="col">{s.params}</th>
            </tr>
          </thead>
          <tbody>
            {summary.layers.map((layer) => (
              <tr key={layer.name}>
                <th scope="row">{layer.name}</th>
                <td>{layer.type}</td>
                <td>{layer.outputShape.join(' x ')}</td>
                <td>{formatCount(layer.params)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                {s.total}
              </th>
              <td>{formatCount(summary.totalParams)}</td>
            </tr>
          </tfoot>
        </table>
      ) : (
        <p className="muted">{s.waiting}</p>
      )}
    </Panel>
  );
});
