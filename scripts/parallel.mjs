// Runs npm scripts side by side (`node scripts/parallel.mjs typecheck lint`): on 2 cores the type
// check and the lint, each single-threaded, take the time of the longer instead of the sum. Each
// script's output is printed whole when it ends, so the two never interleave; the exit code is
// the first failure's, after both have ended.
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node scripts/parallel.mjs <npm script> [<npm script> ...]');
  process.exit(2);
}

const runs = names.map(
  (name) =>
    new Promise((resolve) => {
      /** @type {Buffer[]} */
      const chunks = [];
      const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk) => chunks.push(chunk));
      child.stderr.on('data', (chunk) => chunks.push(chunk));
      child.on('error', (error) => {
        chunks.push(Buffer.from(`${error.message}\n`));
        resolve({ name, code: 1, output: Buffer.concat(chunks) });
      });
      child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks) }));
    }),
);

let failed = 0;
for (const run of runs) {
  const { name, code, output } = await run;
  process.stdout.write(`--- npm run ${name}: ${code === 0 ? 'passed' : `failed (exit ${code})`}\n`);
  process.stdout.write(output);
  if (code !== 0 && failed === 0) failed = code;
}
process.exit(failed);
