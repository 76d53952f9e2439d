import { useEffect, useRef, useState } from 'react';
import { maxAbs, diverging } from '../inside/heatmap';
import { paintPixels } from '../digits/pixels';
import type { Subject } from '../inside/subject';
import type { EvidenceShown } from '../state/why';
import { useFormat, useStrings } from '../i18n/I18n';
import { signed, sig } from './numbers';

/** The digit's ink, faint, under the evidence: a pixel's colour is its share, the gray shows the strokes around it. */
function paintEvidence(canvas: HTMLCanvasElement | null, pixels: Float32Array, attributions: Float32Array) {
  const range = maxAbs(attributions);
  paintPixels(canvas, 28, 28, (i) => {
    const [r, g, b] = diverging(attributions[i]!, range);
    const ink = Math.min(1, Math.max(0, pixels[i]!)) * 0.18;
    return [r * (1 - ink), g * (1 - ink), b * (1 - ink)];
  });
}

interface EvidenceViewProps {
  subject: Subject;
  shown: EvidenceShown | null;
  /** The newest request sent: until its answer arrives, `shown` is out of date. */
  lastRequest: number;
  explain: (pixels: Float32Array, target: number) => void;
}

/**
 * "Where did it look?": the evidence map of the subject for its answer, or for any digit on a switch.
 * The worker computes it (integrated gradients, src/model/evidence.ts); this paints it and its sums.
 */
export function EvidenceView({ subject, shown, lastRequest, explain }: EvidenceViewProps) {
  const strings = useStrings();
  const s = strings.why;
  const format = useFormat();
  // The digit explained: the network's answer unless another was chosen for this subject.
  const [chosen, setChosen] = useState<{ subject: string; target: number } | null>(null);
  const subjectId = subject.key.split(' ').slice(0, -1).join(' ');
  const target = chosen?.subject === subjectId ? chosen.target : subject.predicted;
  // The subject is read again after every epoch, when the model changes and as the pen moves: each
  // new reading (a new `input`) asks for its map (useTrainer keeps one request in flight, the newest waiting).
  const { input } = subject;
  useEffect(() => {
    explain(input, target);
  }, [input, target, explain]);
  const canvas = useRef<HTMLCanvasElement>(null);
  const evidence = shown?.evidence ?? null;
  const pending = !shown || shown.requestId !== lastRequest;
  useEffect(() => {
    if (evidence) paintEvidence(canvas.current, input, evidence.attributions);
  }, [evidence, input]);
  const sum = evidence ? evidence.attributions.reduce((a, b) => a + b, 0) : 0;
  const absSum = evidence ? evidence.attributions.reduce((a, b) => a + Math.abs(b), 0) : 0;
  return (
    <div className="evidence">
      <div className="controls evidence__targets" role="group" aria-label={s.evidenceFor}>
        <span>{s.evidenceFor}</span>
        {Array.from({ length: 10 }, (_, digit) => (
          <button
            key={digit}
            type="button"
            className={digit === subject.predicted ? 'digit-choice digit-choice--answer' : 'digit-choice'}
            aria-pressed={digit === target}
            title={digit === subject.predicted ? `${digit}: ${s.predicted}` : s.whyNot(digit)}
            aria-label={digit === subject.predicted ? `${digit}, ${s.predicted}` : s.whyNot(digit)}
            data-testid={`evidence-target-${digit}`}
            onClick={() => setChosen({ subject: subjectId, target: digit })}
          >
            {digit}
          </button>
        ))}
      </div>
      <div className="evidence__body">
        <canvas
          ref={canvas}
          width={28}
          height={28}
          className="heat evidence__map"
          role="img"
          aria-label={s.evidenceLabel(evidence?.target ?? target)}
          data-testid="evidence-map"
          data-target={evidence?.target ?? ''}
          data-pending={pending}
          data-request={shown?.requestId ?? ''}
          data-sum={sum}
          data-abs-sum={absSum}
          data-score={evidence?.score ?? ''}
          data-baseline-score={evidence?.baselineScore ?? ''}
          data-duration-ms={shown?.durationMs ?? ''}
        />
        <div className="evidence__text">
          <p>
            {s.legend(evidence?.target ?? target)}
            {pending ? <span className="muted"> {s.updating}</span> : null}
          </p>
          {evidence ? (
            <p className="muted small" data-testid="evidence-sums">
              {s.scores(
                evidence.target,
                sig(evidence.score),
                sig(evidence.baselineScore),
                signed(evidence.score - evidence.baselineScore),
                signed(sum),
              )}{' '}
              {shown ? s.computed(format.count(Math.round(shown.durationMs))) : null}
            </p>
          ) : null}
          <p className="muted small">{s.method}</p>
        </div>
      </div>
    </div>
  );
}
