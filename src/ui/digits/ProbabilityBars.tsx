/** The ten probabilities as bars, one digit marked (the answer, or the right answer). */
export function ProbabilityBars({
  probabilities,
  marked,
  testId,
  label,
}: {
  /** Null: all at zero (nothing read yet). */
  probabilities: readonly number[] | null;
  marked: number;
  testId: string;
  label: string;
}) {
  return (
    <ol className="bars" data-testid={testId} aria-label={label}>
      {Array.from({ length: 10 }, (_, digit) => {
        const p = probabilities?.[digit] ?? 0;
        return (
          <li key={digit} className={digit === marked ? 'bars__row bars__row--best' : 'bars__row'} data-digit={digit} data-probability={p}>
            <span className="bars__digit">{digit}</span>
            <span className="bars__track">
              <span className="bars__fill" style={{ width: `${(p * 100).toFixed(1)}%` }} />
            </span>
            <span className="bars__value">{(p * 100).toFixed(1)}%</span>
          </li>
        );
      })}
    </ol>
  );
}
