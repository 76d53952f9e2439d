/**
 * A data file that is missing, truncated, corrupt or undecodable. Carries what a person needs to
 * act: which file, what was expected, what was found.
 */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';

  constructor(
    readonly file: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}: expected ${expected}, found ${found}`);
  }
}
