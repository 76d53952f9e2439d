/**
 * Which digits a gallery shows: the test digits the model gets wrong (the most confident mistakes
 * first), those of one cell of the confusion matrix, or every digit of one class. Pure functions
 * over labels and the model's answers, so they are tested without a model.
 */

/** The model's answers on a split: the predicted class and the 10 probabilities of each digit. */
export interface Answers {
  predictions: Uint8Array;
  /** count x 10. */
  probabilities: Float32Array;
}

const NUM_CLASSES = 10;

/** The probability the model gave its own answer for digit `index`. */
export function confidence(answers: Answers, index: number): number {
  return answers.probabilities[index * NUM_CLASSES + answers.predictions[index]!]!;
}

/** Indices sorted by the model's confidence in its answer, highest first (ties: lower index first). */
function byConfidence(indices: number[], answers: Answers): number[] {
  return indices.sort((a, b) => confidence(answers, b) - confidence(answers, a) || a - b);
}

/** Every misread digit, the most confident mistakes first: the ones worth a class's discussion. */
export function mistakes(labels: Uint8Array, answers: Answers): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < labels.length; i++) if (answers.predictions[i] !== labels[i]) wrong.push(i);
  return byConfidence(wrong, answers);
}

/** The digits of one confusion-matrix cell (true `truth`, read as `predicted`), most confident first. */
export function cell(labels: Uint8Array, answers: Answers, truth: number, predicted: number): number[] {
  const found: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === truth && answers.predictions[i] === predicted) found.push(i);
  return byConfidence(found, answers);
}

/** Every digit of one class, in data-set order. */
export function ofClass(labels: Uint8Array, label: number): number[] {
  const found: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === label) found.push(i);
  return found;
}
