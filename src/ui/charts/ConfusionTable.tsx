import type { ReactNode } from 'react';

/** The header cells 0-9 of a table with a column per digit. */
export function DigitHeaders({ count = 10 }: { count?: number }) {
  return (
    <>
      {Array.from({ length: count }, (_, d) => (
        <th key={d} scope="col">
          {d}
        </th>
      ))}
    </>
  );
}

/**
 * A confusion matrix as a table (rows: the true digit, columns: the one read), for screen readers
 * and for clicking; `cell` fills each cell, whose class marks the diagonal and the mistakes.
 */
export function ConfusionTable({
  confusion,
  corner,
  cell,
}: {
  confusion: number[][];
  corner: string;
  cell: (count: number, truth: number, predicted: number) => ReactNode;
}) {
  return (
    <table className="confusion__table">
      <thead>
        <tr>
          <th scope="col">{corner}</th>
          <DigitHeaders count={confusion.length} />
        </tr>
      </thead>
      <tbody>
        {confusion.map((row, truth) => (
          <tr key={truth}>
            <th scope="row">{truth}</th>
            {row.map((count, predicted) => (
              <td key={predicted} className={truth === predicted ? 'diagonal' : count > 0 ? 'mistake' : ''}>
                {cell(count, truth, predicted)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
