import { memo } from 'react';
import type { ModelSummary } from '../../shared/protocol';
import { Panel } from './Panel';
import { useFormat, useStrings } from '../i18n/I18n';

/** A Keras-style summary of the model in use: layer, output shape, parameters, total. */
export const ModelPanel = memo(function ModelPanel({ summary }: { summary: ModelSummary | null }) {
  const strings = useStrings();
  const s = strings.model;
  const format = useFormat();
  return (
    <Panel id="model" title={strings.panels.model}>
      <p>{s.intro}</p>
      {summary ? (
        <table className="summary" data-testid="model-summary" data-total-params={summary.totalParams}>
          <caption>
            {s.caption(summary.preset ? strings.train.modelOptions[summary.preset] : summary.label, summary.inputShape.join(' x '))}
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
                <td>{format.count(layer.params)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                {s.total}
              </th>
              <td>{format.count(summary.totalParams)}</td>
            </tr>
          </tfoot>
        </table>
      ) : (
        <p className="muted">{s.waiting}</p>
      )}
    </Panel>
  );
});
