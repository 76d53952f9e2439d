import type { AppError } from '../../worker/protocol';
import { assertNever } from '../../worker/protocol';
import { strings } from '../strings';

const s = strings.error;

/** The error panel: what failed, and for data files which file, what was expected and what was found. */
export function ErrorPanel({ error, onRetry }: { error: AppError; onRetry: () => void }) {
  return (
    <div className="error" role="alert" data-testid="error-message" data-error-kind={error.kind}>
      <h3>{title(error)}</h3>
      {error.kind === 'data' ? (
        <>
          <dl className="error__facts">
            <dt>{s.file}</dt>
            <dd data-testid="error-file">{error.file}</dd>
            <dt>{s.expected}</dt>
            <dd>{error.expected}</dd>
            <dt>{s.found}</dt>
            <dd>{error.found}</dd>
          </dl>
          <p>{s.dataHint}</p>
        </>
      ) : (
        <p>{error.message}</p>
      )}
      <button type="button" onClick={onRetry}>
        {s.retry}
      </button>
    </div>
  );
}

function title(error: AppError): string {
  switch (error.kind) {
    case 'data':
      return s.dataTitle;
    case 'worker':
      return s.workerTitle;
    case 'settings':
      return s.settingsTitle;
    case 'model':
      return s.modelTitle;
    case 'internal':
      return s.internalTitle;
    default:
      return assertNever(error);
  }
}
