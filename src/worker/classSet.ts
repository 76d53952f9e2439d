/**
 * The class's own digits in the worker (issue 17): the list (read once from this browser's store,
 * then kept here), adding a drawing with the label the student meant, deleting, clearing, the file
 * out and files in, and the measurement with the model in use, posted again whenever the list or
 * the model changes and after every epoch of a run. It owns `digits`; the model comes from the
 * model in use (or the run's, passed to measure()).
 */
import type * as tf from '@tensorflow/tfjs';
import {
  byAdded,
  ClassFileError,
  classDigitId,
  classFileName,
  classFileText,
  heldOutIds,
  measureClass,
  newDigits,
  parseClassFile,
  type ClassDigit,
  type ClassMeasurement,
} from '../data/classDigits';
import { preprocessStrokes, type Stroke } from '../data/drawing';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';
import { bytesToPixels, pixelsToBytes } from '../data/sprite';
import { notADigit } from '../data/verdict';
import type { ClassDigitInfo } from '../shared/protocol';
import { watchBackend } from './contextLoss';
import type { ModelInUse } from './modelInUse';
import { EVAL_CHUNK, SaidError, yieldToEvents, type Session } from './session';
import { storedList } from './storedList';
import { evaluate } from '../model/training';

export type ClassSet = ReturnType<typeof createClassSet>;

export function createClassSet(session: Session, models: ModelInUse) {
  const { post } = session;
  const store = session.store?.classDigits ?? null;
  /** Oldest first. A digit the page shows is one a reload shows: stored first, then listed. */
  const digits = storedList<ClassDigit>(session, store && (() => store.list()), byAdded);
  const { all, save } = digits;

  function postList(list: ClassDigit[]): void {
    const held = heldOutIds(list);
    const infos: ClassDigitInfo[] = list.map((d) => ({ id: d.id, label: d.label, addedAt: d.addedAt, heldOut: held.has(d.id) }));
    const bytes = new Uint8Array(list.length * PIXELS_PER_IMAGE);
    list.forEach((d, i) => bytes.set(d.bytes, i * PIXELS_PER_IMAGE));
    post({ type: 'classDigitsListed', digits: infos, bytes }, [bytes.buffer]);
  }

  /** Reads every class digit with `model` (the model in use unless given) and posts the measurement. */
  async function measure(model: tf.LayersModel | null = models.current(), epoch: number | null = null): Promise<ClassMeasurement | null> {
    const list = await all();
    if (!model || list.length === 0) {
      post({ type: 'classDigitsMeasured', measurement: null, epoch });
      return null;
    }
    // The test set's chunked evaluation, on the class digits (pause, stop and ping get in between chunks).
    const pixels = new Float32Array(list.length * PIXELS_PER_IMAGE);
    list.forEach((d, i) => pixels.set(bytesToPixels(d.bytes), i * PIXELS_PER_IMAGE));
    const labels = Uint8Array.from(list, (d) => d.label);
    const { probabilities } = await watchBackend().race(evaluate(model, pixels, labels, 0, list.length, EVAL_CHUNK, yieldToEvents));
    const measurement = measureClass(list, probabilities, heldOutIds(list));
    post({ type: 'classDigitsMeasured', measurement, epoch });
    return measurement;
  }

  /** After a change of the list: the new list, then how the model in use reads it (not mid-run: the run measures at its epochs). */
  async function changed(list: ClassDigit[]): Promise<void> {
    digits.replace(list);
    postList(list);
    if (!session.training()) await measure();
  }

  return {
    all,
    measure,

    /** Posts the list and its measurement (a new page asks once its worker is up). */
    async list(): Promise<void> {
      const list = await all();
      postList(list);
      if (!session.training()) await measure();
    },

    /** Adds the drawing as a digit the student meant as `label`: preprocessed as the Draw panel reads it. */
    async add(strokes: Stroke[], label: number): Promise<void> {
      if (!Number.isInteger(label) || label < 0 || label >= NUM_CLASSES)
        throw new SaidError(`${label} is not a digit 0-9`, 'classDigitLabel', { label });
      const input = preprocessStrokes(strokes);
      if (!input) throw new SaidError('Draw a digit first: the canvas is empty.', 'classDigitEmpty');
      const not = notADigit(input);
      if (not)
        throw new SaidError(`That drawing is not kept: it does not look like a digit (${not}).`, 'classDigitNotDigit', { reason: not });
      const list = await all();
      const id = classDigitId(label, strokes);
      if (list.some((d) => d.id === id)) return changed(list); // the same drawing twice (a double click) is one digit
      // Later than every digit listed, even one added in the same millisecond (or imported from a
      // device whose clock runs ahead): the list stays in byAdded order, the order a reload shows.
      const newest = list.length > 0 ? Date.parse(list.at(-1)!.addedAt) : -Infinity;
      const addedAt = new Date(Math.max(Date.now(), newest + 1)).toISOString();
      const digit: ClassDigit = { id, label, strokes, bytes: pixelsToBytes(input.pixels), addedAt };
      await save(() => store?.put([digit]));
      await changed([...list, digit]);
    },

    async remove(id: string): Promise<void> {
      const list = await all();
      await save(() => store?.delete(id));
      await changed(list.filter((d) => d.id !== id));
    },

    async clear(): Promise<void> {
      await all();
      await save(() => store?.clear());
      await changed([]);
    },

    /** The class set as one file (answered by `classDigitsExported`). */
    async exportFile(): Promise<void> {
      const list = await all();
      const exportedAt = new Date().toISOString();
      post({ type: 'classDigitsExported', name: classFileName(exportedAt), text: classFileText(list, exportedAt), count: list.length });
    },

    /** Files from other devices, merged without duplicates; a bad file refuses them all and changes nothing. */
    async importFiles(files: { name: string; text: string }[]): Promise<void> {
      let incoming: ClassDigit[];
      try {
        incoming = files.flatMap((file) => parseClassFile(file.text, file.name));
      } catch (error) {
        if (!(error instanceof ClassFileError)) throw error;
        post({ type: 'classImportRejected', message: error.message, said: error.said });
        return;
      }
      const list = await all();
      const { added, duplicates } = newDigits(list, incoming);
      if (added.length > 0) await save(() => store?.put(added));
      post({ type: 'classDigitsImported', added: added.length, duplicates, files: files.length });
      await changed([...list, ...added].sort(byAdded));
    },
  };
}
