/// <reference lib="webworker" />
/**
 * Entry of the training worker. Its own chunk is small (the loader and the PNG decoder, no tfjs):
 * it starts downloading the data set as soon as it runs (the worker's name carries the URL; a
 * `load` command does the same where a name does not), and imports the session (tfjs and the
 * rest, about 1.9 MB) once the data set is in; commands wait for the session in order.
 */
import { decodeGrayPng } from '../data/png';
import { dataUrlFromWorkerName, type WorkerCommand } from '../shared/protocol';
import { announceLoaded, createDataset } from './dataset';
import { errorMessage } from './errors';
import type { Post, TrainerSession } from './trainer';

declare const self: DedicatedWorkerGlobalScope;

const post: Post = (event, transfer = []) => self.postMessage(event, transfer);
const dataset = createDataset(post, { io: { fetch: (input, init) => fetch(input, init), decodeGrayPng } });
let session: TrainerSession | null = null;
const waiting: WorkerCommand[] = [];

let announced = false;
let loadStarted = false;
/**
 * Loads (or joins the load under way) and says `loaded` once, as soon as it is true; then imports
 * the session. Evaluating its chunk takes this thread for about 0.3 s, which during the load would
 * delay the page's "ready" by as much where the data comes fast (a reload, offline, a school
 * server); the commands that arrive meanwhile wait for it.
 */
function startLoad(dataUrl: string): void {
  loadStarted = true;
  dataset
    .load(dataUrl)
    .then(
      (summary) => {
        if (!announced) announceLoaded(post, summary);
        announced = true;
      },
      // A failure is reported by the session when it handles the `load` command.
      () => undefined,
    )
    .finally(importSession);
}
const namedDataUrl = dataUrlFromWorkerName(self.name);
if (namedDataUrl) startLoad(namedDataUrl);

self.onmessage = (message: MessageEvent<WorkerCommand>) => {
  const command = message.data;
  // The UI's watchdog pings every 2 s: answered here, so a slow or stalled download (the session
  // is imported after it) reads as what it is, not as a silent worker.
  if (command.type === 'ping') {
    post({ type: 'pong' });
    return;
  }
  // createTrainerSession with a `dataset` leaves `loaded` to this file.
  if (command.type === 'load') startLoad(command.dataUrl);
  // No load under way (a worker named without a data URL, a command before `load`): nothing to wait for.
  if (!loadStarted) importSession();
  if (session) void session.handle(command);
  else waiting.push(command);
};

let importing = false;
function importSession(): void {
  if (importing) return;
  importing = true;
  import('./startSession').then(
    ({ startSession }) => {
      const started = startSession(post, dataset);
      session = started;
      for (const command of waiting.splice(0)) void started.handle(command);
    },
    (error: unknown) => {
      // A chunk that cannot be fetched (offline before the cache was complete): said, not a silent worker.
      post({ type: 'failed', error: { kind: 'internal', message: `The training code could not be loaded: ${errorMessage(error)}` } });
    },
  );
}
