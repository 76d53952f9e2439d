/**
 * A data file that is missing, truncated, corrupt or undecodable. Carries what a person needs to
 * act: which file, what was expected, what was found.
 */
/** What is wrong with a data file, in a word the UI can say in any language. */
export type DataProblem =
  'manifest' | 'network' | 'stalled' | 'http' | 'missing' | 'size' | 'checksum' | 'decode' | 'dimensions' | 'pixels' | 'labels';

export class DataFileError extends Error {
  override readonly name = 'DataFileError';

  constructor(
    readonly file: string,
    readonly expected: string,
    readonly found: string,
    readonly problem: DataProblem = 'manifest',
  ) {
    super(`${file}: expected ${expected}, found ${found}`);
  }
}
