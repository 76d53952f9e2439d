import type { AppError } from '../../shared/protocol';
import { assertNever } from '../../shared/protocol';
import type { Strings } from '../i18n/en';
import { useSay, useStrings } from '../i18n/I18n';

/** The error panel: what failed, and for data files which file, what was expected and what was found. */
export function ErrorPanel({ error, onRetry }: { error: AppError; onRetry: () => void }) {
  const strings = useStrings();
  const s = strings.error;
  const say = useSay();
  return (
    <div className="error" role="alert" data-testid="error-message" data-error-kind={error.kind}>
      <h3>{title(error, s)}</h3>
      {error.kind === 'data' ? (
        <>
          <p data-testid="error-problem" data-problem={error.problem}>
            {s.dataProblems[error.problem]}
          </p>
          <dl className="error__facts">
            <dt>{s.file}</dt>
            <dd data-testid="error-file">{error.file}</dd>
            <dt>{s.expected}</dt>
            <dd>{error.expected}</dd>
            <dt>{s.found}</dt>
            <dd>{error.found}</dd>
          </dl>
          <p>{error.problem === 'network' || error.problem === 'stalled' ? s.networkHint : s.dataHint}</p>
        </>
      ) : (
        <p>{say(error)}</p>
      )}
      <button type="button" onClick={onRetry}>
        {s.retry}
      </button>
    </div>
  );
}

function title(error: AppError, s: Strings['error']): string {
  switch (error.kind) {
    case 'data':
      return s.dataTitle;
    case 'worker':
      return s.workerTitle;
    case 'settings':
      return s.settingsTitle;
    case 'model':
    case 'class':
    case 'step':
      return s.modelTitle;
    case 'internal':
      return s.internalTitle;
    default:
      return assertNever(error);
  }
}
