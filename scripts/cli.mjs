// @ts-check
/**
 * The value after `--name` on the command line, or `fallback`.
 * @param {string} name e.g. '--out'
 * @param {string} fallback
 */
export function cliOption(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return (i >= 0 ? args[i + 1] : undefined) ?? fallback;
}
