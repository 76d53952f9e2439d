import { useMemo, useState } from 'react';
import { HeatCanvas } from '../digits/HeatCanvas';
import { ProbabilityBars } from '../digits/ProbabilityBars';
import { kernelSlice, maxAbs } from '../inside/heatmap';
import type { Subject } from '../inside/subject';
import type { LearningStepShown } from '../state/why';
import type { LearningStepNumbers, OptimizerName } from '../../shared/protocol';
import { firstStep, largestAt, type WeightUpdate } from '../../shared/stepMath';
import { useStrings } from '../i18n/I18n';
import { sig } from './numbers';

/** Learning rates offered: the seed's 0.001 and a decade either side, and SGD's usual 0.01-0.1. */
const RATES = [0.0001, 0.001, 0.01, 0.1];
const OPTIMIZERS: OptimizerName[] = ['sgd', 'adam', 'rmsprop'];

interface LearningStepViewProps {
  subject: Subject;
  step: LearningStepShown | null;
  /** The model in use's optimizer and learning rate, the step's defaults (null for an uploaded model). */
  defaults: { optimizer: OptimizerName; learningRate: number } | null;
  /** A run is training: a step waits. */
  busy: boolean;
  take: (pixels: Float32Array, label: number, optimizer: OptimizerName, learningRate: number) => void;
  apply: (requestId: number) => void;
  keep: (requestId: number) => void;
}

/** One step of learning for the subject, from its softmax to the copy that took the step. */
export function LearningStepView({ subject, step, defaults, busy, take, apply, keep }: LearningStepViewProps) {
  const strings = useStrings();
  const s = strings.why;
  const subjectId = subject.key.split(' ').slice(0, -1).join(' ');
  const [chosenLabel, setChosenLabel] = useState<{ subject: string; label: number } | null>(null);
  // A data set digit has its label; for a drawing, the person says which digit they meant (the answer until then).
  const label = subject.label ?? (chosenLabel?.subject === subjectId ? chosenLabel.label : subject.predicted);
  const [optimizer, setOptimizer] = useState<OptimizerName>(defaults?.optimizer ?? 'adam');
  const [rate, setRate] = useState<number>(defaults && RATES.includes(defaults.learningRate) ? defaults.learningRate : 0.001);
  const numbers = step?.numbers ?? null;
  const taking = step !== null && numbers === null;
  return (
    <div className="learning-step">
      <p className="muted">{s.stepIntro}</p>
      <div className="controls learning-step__controls">
        {subject.label !== null ? (
          <span data-testid="learning-step-true-label" data-label={label}>
            {s.trueLabel}: <strong>{label}</strong> <span className="muted small">({s.itsLabel(label)})</span>
          </span>
        ) : (
          <span role="group" aria-label={s.trueLabel} data-testid="learning-step-true-label" data-label={label}>
            {s.trueLabel}:{' '}
            {Array.from({ length: 10 }, (_, digit) => (
              <button
                key={digit}
                type="button"
                className="digit-choice"
                aria-pressed={digit === label}
                aria-label={s.labelButton(digit)}
                data-testid={`learning-step-label-${digit}`}
                onClick={() => setChosenLabel({ subject: subjectId, label: digit })}
              >
                {digit}
              </button>
            ))}
          </span>
        )}
        <label>
          {s.optimizer}{' '}
          <select data-testid="learning-step-optimizer" value={optimizer} onChange={(e) => setOptimizer(e.target.value as OptimizerName)}>
            {OPTIMIZERS.map((name) => (
              <option key={name} value={name}>
                {s.optimizers[name]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {s.rate}{' '}
          <select data-testid="learning-step-rate" value={rate} onChange={(e) => setRate(Number(e.target.value))}>
            {RATES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="take-learning-step"
          disabled={busy || taking}
          onClick={() => take(subject.input, label, optimizer, rate)}
        >
          {taking ? s.taking : s.take}
        </button>
      </div>
      {busy ? <p className="muted small">{s.busy}</p> : null}
      {numbers && step ? <StepNumbers numbers={numbers} step={step} apply={apply} keep={keep} /> : null}
    </div>
  );
}

function StepNumbers({
  numbers,
  step,
  apply,
  keep,
}: {
  numbers: LearningStepNumbers;
  step: LearningStepShown;
  apply: (requestId: number) => void;
  keep: (requestId: number) => void;
}) {
  const strings = useStrings();
  const s = strings.why;
  const { label, probabilities, loss, conv1, output } = numbers;
  const filters = conv1.shape[3];
  const size = conv1.shape[0] * conv1.shape[1];
  // Each filter's 25 numbers (input channel 0: conv1 reads the one gray channel).
  const slices = useMemo(
    () =>
      Array.from({ length: filters }, (_, f) => ({
        kernel: kernelSlice(conv1.kernel, conv1.shape, 0, f),
        gradient: kernelSlice(conv1.gradient, conv1.shape, 0, f),
        update: kernelSlice(conv1.update, conv1.shape, 0, f),
      })),
    [conv1, filters],
  );
  const steepest = useMemo(() => largestAt(slices.map((f) => Math.hypot(...f.gradient))), [slices]);
  // The filter chosen for this step; a new step starts at its steepest filter.
  const [chosen, setChosen] = useState<{ request: number; filter: number } | null>(null);
  const filter = chosen?.request === step.requestId ? chosen.filter : steepest;
  const setFilter = (f: number) => setChosen({ request: step.requestId, filter: f });
  const shown = slices[filter] ?? slices[0]!;
  const after = useMemo(() => shown.kernel.map((w, i) => w + shown.update[i]!), [shown]);
  const worked = largestAt(shown.gradient);
  const weightRange = maxAbs([...shown.kernel, ...after]);
  const gradientRange = maxAbs(shown.gradient);
  const updateRange = maxAbs(shown.update);
  // The output layer's gradient as a row per digit: the kernel is [inputs, 10].
  const inputs = output.inputs.length;
  const outputRows = useMemo(() => {
    const rows = new Float32Array(inputs * 10);
    for (let j = 0; j < inputs; j++) for (let k = 0; k < 10; k++) rows[k * inputs + j] = output.kernelGradient[j * 10 + k]!;
    return rows;
  }, [output, inputs]);
  const join = (values: ArrayLike<number>) => Array.from(values).join(' ');
  return (
    <div
      className="learning-step__numbers"
      data-testid="learning-step"
      data-request={step.requestId}
      data-label={label}
      data-loss={loss}
      data-optimizer={numbers.optimizer}
      data-learning-rate={numbers.learningRate}
    >
      <h4>{s.probabilities}</h4>
      <ProbabilityBars probabilities={probabilities} marked={label} testId="learning-step-probabilities" label={s.probabilities} />
      <p className="learning-step__formula" data-testid="learning-step-loss" data-value={loss}>
        {s.lossLine(label, sig(probabilities[label]!), sig(loss))}
      </p>
      <p className="muted small">{s.lossExplain}</p>

      <h4>{s.outputTitle}</h4>
      <p className="learning-step__formula small">{s.outputFormula}</p>
      <p className="small" data-testid="learning-step-delta" data-values={join(output.delta)}>
        {s.delta}:{' '}
        {output.delta.map((d, k) => (
          <span key={k} className={k === label ? 'learning-step__delta learning-step__delta--label' : 'learning-step__delta'}>
            {k}: {sig(d, 3)}
          </span>
        ))}
      </p>
      <HeatCanvas
        values={outputRows}
        width={inputs}
        height={10}
        range={maxAbs(outputRows)}
        label={s.outputMap(inputs)}
        className="heat learning-step__output"
        testId="learning-step-output-gradient"
      />
      <p className="muted small">{s.outputMap(inputs)}</p>

      <h4>{s.filterTitle}</h4>
      <div className="controls" role="group" aria-label={s.pickFilter}>
        <span>{s.pickFilter}</span>
        {slices.map((_, f) => (
          <button
            key={f}
            type="button"
            className="digit-choice"
            aria-pressed={f === filter}
            aria-label={s.filterButton(f + 1)}
            title={f === steepest ? s.largest : undefined}
            data-testid={`learning-step-filter-${f + 1}`}
            onClick={() => setFilter(f)}
          >
            {f + 1}
          </button>
        ))}
      </div>
      <div className="learning-step__filters" data-testid="learning-step-filter" data-filter={filter + 1}>
        {(
          [
            ['weights', s.weights, shown.kernel, weightRange],
            ['gradient', s.gradient, shown.gradient, gradientRange],
            ['update', s.update, shown.update, updateRange],
            ['after', s.after, after, weightRange],
          ] as const
        ).map(([key, caption, values, range]) => (
          <figure key={key}>
            <HeatCanvas
              values={values}
              width={conv1.shape[1]}
              height={conv1.shape[0]}
              range={range}
              label={`${caption}, ${s.filterButton(filter + 1)}`}
              className="heat learning-step__kernel"
              testId={`learning-step-filter-${key}`}
              data-values={join(values)}
            />
            <figcaption className="small">{caption}</figcaption>
          </figure>
        ))}
      </div>
      <Worked
        update={firstStep(numbers.optimizer, numbers.learningRate, shown.gradient[worked]!)}
        applied={shown.update[worked]!}
        weight={shown.kernel[worked]!}
        rate={numbers.learningRate}
        row={Math.floor(worked / conv1.shape[1]) + 1}
        column={(worked % conv1.shape[1]) + 1}
        size={size}
      />
      <p className="muted small">{s.freshNote}</p>

      <div className="controls">
        <button type="button" data-testid="apply-learning-step" disabled={step.applying} onClick={() => apply(step.requestId)}>
          {step.applying ? s.applying : s.apply}
        </button>
      </div>
      {step.applied ? (
        <div data-testid="learning-step-after" data-loss={step.applied.loss}>
          <p>
            <strong>{s.applied(sig(loss), sig(step.applied.loss))}</strong>
          </p>
          <ProbabilityBars
            probabilities={step.applied.probabilities}
            marked={label}
            testId="learning-step-after-probabilities"
            label={s.newProbabilities}
          />
          <div className="controls">
            <button type="button" className="secondary" data-testid="keep-learning-step" onClick={() => keep(step.requestId)}>
              {s.keep}
            </button>
            <span className="muted small">{s.kept}</span>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** One weight's update with every number of its optimizer's formula. */
function Worked({
  update,
  applied,
  weight,
  rate,
  row,
  column,
}: {
  update: WeightUpdate;
  applied: number;
  weight: number;
  rate: number;
  row: number;
  column: number;
  size: number;
}) {
  const s = useStrings().why;
  const lines: string[] = [`w = ${sig(weight)}, g = ∂${s.lossSymbol}/∂w = ${sig(update.g)}, lr = ${rate}`];
  switch (update.optimizer) {
    case 'sgd':
      lines.push(`Δw = −lr × g = −${rate} × ${sig(update.g)} = ${sig(update.step)}`);
      break;
    case 'adam':
      lines.push(
        `m = 0.9 × 0 + 0.1 × g = ${sig(update.m)}`,
        `v = 0.999 × 0 + 0.001 × g² = ${sig(update.v)}`,
        `m̂ = m / (1 − 0.9¹) = ${sig(update.mHat)},  v̂ = v / (1 − 0.999¹) = ${sig(update.vHat)}`,
        `Δw = −lr × m̂ / (√v̂ + 10⁻⁷) = ${sig(update.step)}`,
      );
      break;
    case 'rmsprop':
      lines.push(`s = 0.9 × 0 + 0.1 × g² = ${sig(update.s)}`, `Δw = −lr × g / √(s + 10⁻⁷) = ${sig(update.step)}`);
      break;
  }
  lines.push(`w → ${sig(weight)} ${applied < 0 ? '−' : '+'} ${sig(Math.abs(applied))} = ${sig(weight + applied)}`);
  return (
    <div
      className="learning-step__worked"
      data-testid="learning-step-worked"
      data-g={update.g}
      data-step={update.step}
      data-applied={applied}
    >
      <p className="small">{s.worked(row, column)}</p>
      <pre>{lines.join('\n')}</pre>
    </div>
  );
}
