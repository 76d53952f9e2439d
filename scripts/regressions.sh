#!/usr/bin/env bash
# Deliberate regressions: each is applied, one at a time, to a scratch copy of the working tree
# (tracked and untracked files; node_modules and the generated data linked, not copied), and the
# unit and end-to-end tests run there. Every regression must make at least one test fail: a suite
# that stays green with one of them in is missing a test. Prints, per regression, the tests that
# failed (from Vitest's JSON reports in the scratch copy).
#
#   scripts/regressions.sh                       all seventeen, the whole unit and e2e suites each time (~1.3 h on 2 cores)
#   scripts/regressions.sh --targeted            only the test files expected to catch each (~15 min)
#   scripts/regressions.sh pen-width probe-not-reread   some of them
#
# Never run it beside another browser suite or benchmark on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

targeted=0
selected=()
for arg in "$@"; do
  case "$arg" in
    --targeted) targeted=1 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) selected+=("$arg") ;;
  esac
done

# name | file | perl substitution (must change the file) | unit test files | e2e test files (for
# --targeted; "-": none of that kind)
REGRESSIONS=(
  "pen-width|src/data/drawing.ts|s/export const PEN_WIDTH_PX28 = 2\.0;/export const PEN_WIDTH_PX28 = 3.0;/|tests/unit/drawing.test.ts|tests/e2e/draw.e2e.ts"
  "centre-off-by-one|src/data/drawing.ts|s/export const MNIST_CENTRE = IMAGE_SIZE \/ 2 \+ 0\.5;/export const MNIST_CENTRE = IMAGE_SIZE \/ 2 + 1.5;/|tests/unit/drawing.test.ts tests/unit/centring.test.ts|-"
  "centre-half-pixel-off|src/data/drawing.ts|s/export const MNIST_CENTRE = IMAGE_SIZE \/ 2 \+ 0\.5;/export const MNIST_CENTRE = IMAGE_SIZE \/ 2;/|tests/unit/centring.test.ts|-"
  "always-sure|src/data/verdict.ts|s/return top >= SURE_PROBABILITY && top - second >= SURE_MARGIN;/return top >= 0;/|tests/unit/verdict.test.ts|tests/e2e/draw.e2e.ts"
  "styles-ignored|src/worker/batches.ts|s/return settings.styles === 1 \?/return settings.styles === 2 ?/|tests/unit/everySetting.test.ts|-"
  "learning-rate-ignored|src/model/training.ts|s/(export function createOptimizer\(name: OptimizerName, learningRate: number\): tf.Optimizer \{\n)/\$1  learningRate = 0.001;\n/|tests/unit/everySetting.test.ts tests/unit/optimizers.test.ts tests/unit/trainer.test.ts|tests/e2e/draw.e2e.ts tests/e2e/train.e2e.ts"
  "optimizer-state-not-checkpointed|src/worker/trainingRun.ts|s/        optimizer: optimizerState,\n/        optimizer: { ...optimizerState, weights: optimizerState.weights.slice(0, 1) },\n/|tests/unit/persistence.test.ts tests/unit/everySetting.test.ts|tests/e2e/recovery.e2e.ts"
  "probe-not-reread|src/ui/panels/DrawPanel.tsx|s/const readKey = \`\\\$\{epochsSeen\} /const readKey = \`/|-|tests/e2e/draw.e2e.ts"
  "worker-throws-once-per-run|src/worker/trainingRun.ts|s/(          if \(epoch === faultEpoch && batch === FAULT_AT_BATCH\) loseBackendContext\(\);\n)/\$1          if (!from && epoch === 1 && batch === 1) setTimeout(() => { throw new Error('regression: the worker throws once per run'); });\n/|tests/unit/trainer.test.ts|tests/e2e/train.e2e.ts tests/e2e/inside.e2e.ts"
  "class-copies-mislabelled|src/worker/batches.ts|s/          labels\[i\] = teach.labels\[own\]!;/          labels[i] = train.labels[own]!;/|tests/unit/teachingBatches.test.ts|-"
  "held-out-taught|src/worker/teaching.ts|s/const taught = digits.filter\(\(d\) => !held.has\(d.id\)\);/const taught = digits.slice();/|tests/unit/classSession.test.ts|tests/e2e/class.e2e.ts"
  "import-duplicates|src/data/classDigits.ts|s/    if \(seen.has\(digit.id\)\) continue;\n//|tests/unit/classDigits.test.ts tests/unit/classSession.test.ts|tests/e2e/class.e2e.ts"
  "evidence-not-integrated|src/model/evidence.ts|s/tf\.mul\(difference, tf\.mean\(gradients, 0, true\)\)/tf.mul(difference, tf.slice(gradients, [steps - 1], [1]))/|tests/unit/evidence.test.ts tests/unit/whySession.test.ts|tests/e2e/why.e2e.ts"
  "baseline-not-dashed|vite.config.ts|s/\? \[6, 4\] : undefined/? undefined : undefined/|-|tests/e2e/why.e2e.ts"
  "step-on-the-model-in-use|src/model/learningStep.ts|s/const copy = await artifactsToModel\(await modelToArtifacts\(model\)\);/const copy = model;/|tests/unit/learningStep.test.ts tests/unit/whySession.test.ts|tests/e2e/why.e2e.ts"
  "runs-not-kept|src/worker/runHistory.ts|s/      list\.push\(record\);\n//|tests/unit/whySession.test.ts|tests/e2e/why.e2e.ts"
  "class-not-measured-per-epoch|src/worker/trainingRun.ts|s/        await watch.race\(models.postFilters\(trained, epoch\)\);\n        await watch.race\(session.modelUpdated\(trained, epoch\)\);\n/        await watch.race(models.postFilters(trained, epoch));\n/|tests/unit/classSession.test.ts|-"
)

scratch=$(mktemp -d /tmp/lenet-lab-regressions-XXXX)
trap 'rm -rf "$scratch"' EXIT
summary=()

for entry in "${REGRESSIONS[@]}"; do
  IFS='|' read -r name file substitution unit e2e <<<"$entry"
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " == *" $name "* ]]; then continue; fi
  echo "=== $name: $file"
  copy="$scratch/$name"
  mkdir -p "$copy"
  git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$copy"
  ln -s "$root/node_modules" "$copy/node_modules"
  mkdir -p "$copy/public"
  ln -s "$root/public/data" "$copy/public/data"
  before=$(sha1sum "$copy/$file")
  perl -0pi -e "$substitution" "$copy/$file"
  if [ "$before" = "$(sha1sum "$copy/$file")" ]; then
    echo "the regression no longer applies to $file: update scripts/regressions.sh" >&2
    exit 1
  fi
  diff "$root/$file" "$copy/$file" || true
  unitFiles=""
  e2eFiles=""
  if [ "$targeted" = 1 ]; then unitFiles=$unit; e2eFiles=$e2e; fi
  # shellcheck disable=SC2086 # the file lists are meant to split
  if [ "$unitFiles" != "-" ]; then
    (cd "$copy" && npx vitest run --reporter=dot --reporter=json --outputFile.json=unit.json $unitFiles >unit.log 2>&1) || true
  fi
  # shellcheck disable=SC2086
  if [ "$e2eFiles" != "-" ]; then
    (cd "$copy" && if npx vite build --logLevel error >build.log 2>&1; then
      npx vitest run --config vitest.e2e.config.ts --reporter=dot --reporter=json --outputFile.json=e2e.json $e2eFiles >e2e.log 2>&1
    else cp build.log e2e.log; fi) || true
  fi
  failed=$(cd "$copy" && node -e '
    const { existsSync, readFileSync } = require("node:fs");
    const names = [];
    for (const report of ["unit.json", "e2e.json"]) {
      const log = report.replace(".json", ".log");
      if (!existsSync(log)) continue; // not run (--targeted, none of that kind)
      if (!existsSync(report)) { names.push(`ERROR: ${report} not written, the tests did not run (see ${log})`); continue; }
      for (const file of JSON.parse(readFileSync(report, "utf8")).testResults)
        for (const test of file.assertionResults)
          if (test.status === "failed") names.push(`${file.name.replace(process.cwd() + "/", "")} > ${test.fullName}`);
    }
    console.log(names.join("\n"));
  ')
  if [ -z "$failed" ]; then
    summary+=("$name: NOT CAUGHT (no test failed)")
  elif grep -q '^ERROR' <<<"$failed"; then
    summary+=("$name: NOT CAUGHT (the tests did not run): $failed")
  else
    summary+=("$name: caught by")
    while IFS= read -r line; do summary+=("    $line"); done <<<"$failed"
  fi
  printf '%s\n' "${failed:-no test failed}"
done

echo
echo "=== deliberate regressions and the tests that failed"
printf '%s\n' "${summary[@]}"
if printf '%s\n' "${summary[@]}" | grep -q 'NOT CAUGHT'; then exit 1; fi
