/**
 * A trained model as files, in the TensorFlow.js layers format (model.json + weights.bin, what
 * `model.save('downloads://...')` writes and `tf.io.browserFiles` reads), and as plain data for
 * IndexedDB. Uploaded files are checked here, at the edge, so that a wrong or incomplete upload
 * gets a message naming the file and the fact that is wrong, instead of a tfjs stack trace.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, NUM_CLASSES } from '../data/mnist';

/** One file, as read from disk or about to be downloaded. */
export interface ModelFile {
  name: string;
  bytes: ArrayBuffer;
}

/** Which problem a ModelFileError reports, for the UI to word in other languages (values fill it in). */
export type ModelFileCode =
  | 'noJson'
  | 'severalJson'
  | 'notJson'
  | 'notObject'
  | 'graphModel'
  | 'noTopology'
  | 'noWeightsManifest'
  | 'badWeightGroup'
  | 'badWeightSpec'
  | 'unreadableDtype'
  | 'weightsNotChosen'
  | 'weightsSize'
  | 'cannotBuild'
  | 'weightsUnreadable'
  | 'weightsMismatch'
  | 'notClassifier';

/**
 * A problem with uploaded files, worded for the person who chose them: the message in English,
 * `said` the same fact as a code and values for another language.
 */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    message: string,
    readonly said: { code: ModelFileCode; values: Record<string, string | number> },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Topology and weights as plain, structured-cloneable data (what IndexedDB stores and files carry). */
export interface StoredArtifacts {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/** Serializes a layers model; its weights concatenated into one ArrayBuffer in weightSpecs order. */
export async function modelToArtifacts(model: tf.LayersModel): Promise<StoredArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const topology = saved?.modelTopology;
  if (topology == null || topology instanceof ArrayBuffer) {
    throw new Error('model.save() gave no JSON topology'); // only graph models save a binary one
  }
  return {
    modelTopology: topology,
    weightSpecs: saved?.weightSpecs ?? [],
    weightData: saved?.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(saved.weightData),
  };
}

/**
 * Builds the model back and checks it with checkDigitClassifier. The topology is built first and the
 * weights loaded after, so that a topology tfjs cannot build and weights that do not fit it get
 * different messages, and a model that fails either check is disposed rather than leaked.
 */
export async function artifactsToModel(artifacts: StoredArtifacts): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology }));
  } catch (error) {
    throw new ModelFileError(
      `The model in model.json cannot be built: ${messageOf(error)}`,
      { code: 'cannotBuild', values: { detail: messageOf(error) } },
      { cause: error },
    );
  }
  try {
    checkDigitClassifier(model);
    loadWeights(model, artifacts);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function loadWeights(model: tf.LayersModel, { weightSpecs, weightData }: StoredArtifacts): void {
  let named: tf.NamedTensorMap;
  try {
    // In tidy so that a decode failing halfway leaves no tensor behind.
    named = tf.tidy(() => tf.io.decodeWeights(weightData, weightSpecs));
  } catch (error) {
    throw new ModelFileError(
      `The weights of the model in model.json cannot be read: ${messageOf(error)}`,
      { code: 'weightsUnreadable', values: { detail: messageOf(error) } },
      { cause: error },
    );
  }
  try {
    // Optimizer state (Keras may save it) has no variable in the model; tfjs skips it the same way.
    const modelWeights: tf.NamedTensorMap = {};
    for (const spec of weightSpecs) {
      const tensor = named[spec.name];
      if (spec.group !== 'optimizer' && tensor !== undefined) modelWeights[spec.name] = tensor;
    }
    model.loadWeights(modelWeights, true);
  } catch (error) {
    throw new ModelFileError(
      `The weights do not fit the model in model.json: ${messageOf(error)}`,
      { code: 'weightsMismatch', values: { detail: messageOf(error) } },
      { cause: error },
    );
  } finally {
    // The model's variables hold their own references, so the decoded tensors can go either way.
    tf.dispose(named);
  }
}

/** Throws ModelFileError unless the model takes [batch, 28, 28, 1] digits to [batch, 10] classes, with one input and one output. */
export function checkDigitClassifier(model: tf.LayersModel): void {
  const inputs = model.inputs.map((t) => t.shape);
  const outputs = model.outputs.map((t) => t.shape);
  const expectedInput = [null, IMAGE_SIZE, IMAGE_SIZE, 1];
  const expectedOutput = [null, NUM_CLASSES];
  const same = (a: readonly (number | null)[] | undefined, b: (number | null)[]) => a?.length === b.length && a.every((d, i) => d === b[i]);
  if (inputs.length === 1 && outputs.length === 1 && same(inputs[0], expectedInput) && same(outputs[0], expectedOutput)) return;
  const shapes = (list: (number | null)[][]) => list.map((s) => JSON.stringify(s)).join(' and ');
  throw new ModelFileError(
    `This model takes input ${shapes(inputs)} and gives ${shapes(outputs)}; ` +
      `LeNet Lab needs ${IMAGE_SIZE}x${IMAGE_SIZE}x1 digits in and ${NUM_CLASSES} classes out.`,
    { code: 'notClassifier', values: { inputs: shapes(inputs), outputs: shapes(outputs) } },
  );
}

/**
 * The two files TensorFlow.js's browser download (`tf.io.browserDownloads`) writes: `${baseName}.json`,
 * with the same fields in the same order, and `${baseName}.weights.bin`. The weights file holds a copy
 * of weightData, so its buffer can be transferred without detaching the artifacts'.
 */
export function artifactsToFiles(artifacts: StoredArtifacts, baseName: string, metadata?: Record<string, unknown>): ModelFile[] {
  const weightsName = `${baseName}.weights.bin`;
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    weightsManifest: [{ paths: [`./${weightsName}`], weights: artifacts.weightSpecs }],
    ...(metadata === undefined ? {} : { userDefinedMetadata: metadata }),
  };
  const jsonBytes = new TextEncoder().encode(JSON.stringify(modelJson));
  return [
    { name: `${baseName}.json`, bytes: jsonBytes.buffer.slice(jsonBytes.byteOffset, jsonBytes.byteOffset + jsonBytes.byteLength) },
    { name: weightsName, bytes: artifacts.weightData.slice(0) },
  ];
}

/** Bytes per stored value, by the dtype a weights file holds (the quantized dtype where there is one). */
const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/**
 * Reads uploaded files back: one .json file (a layers model) and the weights files its manifest names,
 * matched by their last path segment as tf.io.browserFiles matches them. Chosen files the manifest does
 * not name are ignored. Throws ModelFileError, naming the file and the fact, for each problem.
 */
export function filesToArtifacts(files: ModelFile[]): {
  artifacts: StoredArtifacts;
  metadata: Record<string, unknown> | null;
  jsonName: string;
} {
  const jsonFiles = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const jsonFile = jsonFiles[0];
  if (jsonFile === undefined) {
    const chosen = files.length === 0 ? '' : ` (chosen: ${quoteList(files.map((f) => f.name))})`;
    throw new ModelFileError(`Choose the model's .json file together with its weights file (.bin)${chosen}`, {
      code: 'noJson',
      values: { chosen: quoteList(files.map((f) => f.name)) },
    });
  }
  if (jsonFiles.length > 1) {
    throw new ModelFileError(`Choose one model at a time: ${quoteList(jsonFiles.map((f) => f.name))} are all .json files`, {
      code: 'severalJson',
      values: { names: quoteList(jsonFiles.map((f) => f.name)) },
    });
  }
  const jsonName = jsonFile.name;

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(jsonFile.bytes));
  } catch (error) {
    throw new ModelFileError(
      `${jsonName} is not valid JSON: ${messageOf(error)}`,
      { code: 'notJson', values: { file: jsonName, detail: messageOf(error) } },
      { cause: error },
    );
  }
  if (!isRecord(parsed)) {
    throw new ModelFileError(`${jsonName} does not describe a model: it holds ${describeJson(parsed)}, not an object`, {
      code: 'notObject',
      values: { file: jsonName, holds: jsonKind(parsed) },
    });
  }
  const topology = parsed['modelTopology'];
  const isGraphModel =
    parsed['format'] === 'graph-model' ||
    (topology === undefined && 'graph' in parsed) ||
    // A converted GraphDef: nodes of TensorFlow ops rather than a Keras model config.
    (isRecord(topology) && Array.isArray(topology['node']) && !('class_name' in topology) && !('model_config' in topology));
  if (isGraphModel) {
    throw new ModelFileError(
      `${jsonName} is a graph model (from tensorflowjs_converter), which LeNet Lab cannot use: ` +
        `it needs a layers model (format 'layers-model'), such as the files LeNet Lab downloads`,
      { code: 'graphModel', values: { file: jsonName } },
    );
  }
  if (!isRecord(topology)) {
    throw new ModelFileError(`${jsonName} has no modelTopology: it is not a TensorFlow.js layers model`, {
      code: 'noTopology',
      values: { file: jsonName },
    });
  }

  const groups = parseManifest(parsed['weightsManifest'], jsonName);
  const weightSpecs = groups.flatMap((g) => g.weights);
  const paths = groups.flatMap((g) => g.paths.map(basename));

  const byName = new Map<string, ModelFile>();
  for (const file of files) if (file !== jsonFile && !byName.has(basename(file.name))) byName.set(basename(file.name), file);
  const missing = paths.filter((p) => !byName.has(p));
  if (missing.length > 0) {
    throw new ModelFileError(
      missing.length === 1
        ? `The weights file '${missing[0]}' named in ${jsonName} was not chosen: choose it together with ${jsonName}`
        : `The weights files ${quoteList(missing)} named in ${jsonName} were not chosen: choose them together with ${jsonName}`,
      { code: 'weightsNotChosen', values: { file: jsonName, missing: quoteList(missing) } },
    );
  }
  const weightFiles = paths.map((p) => byName.get(p)!);

  const expectedBytes = weightSpecs.reduce((sum, spec) => sum + specBytes(spec, jsonName), 0);
  const actualBytes = weightFiles.reduce((sum, f) => sum + f.bytes.byteLength, 0);
  if (actualBytes !== expectedBytes) {
    const several = weightFiles.length > 1;
    throw new ModelFileError(
      `The weights (${quoteList(paths)}) are ${bytes(actualBytes)}; ${jsonName} describes ${bytes(expectedBytes)}: ` +
        (several ? 'the files are truncated or belong to another model' : 'the file is truncated or belongs to another model'),
      { code: 'weightsSize', values: { file: jsonName, paths: quoteList(paths), found: actualBytes, expected: expectedBytes } },
    );
  }

  const weightData = new Uint8Array(actualBytes);
  let offset = 0;
  for (const file of weightFiles) {
    weightData.set(new Uint8Array(file.bytes), offset);
    offset += file.bytes.byteLength;
  }
  const metadata = parsed['userDefinedMetadata'];
  return {
    artifacts: { modelTopology: topology, weightSpecs, weightData: weightData.buffer },
    metadata: isRecord(metadata) ? metadata : null,
    jsonName,
  };
}

/** Checks the manifest's shape, so that what follows can trust it. */
function parseManifest(manifest: unknown, jsonName: string): { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] {
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new ModelFileError(`${jsonName} names no weights files (its weightsManifest is missing or empty)`, {
      code: 'noWeightsManifest',
      values: { file: jsonName },
    });
  }
  return manifest.map((group: unknown, g) => {
    const where = `${jsonName}: weightsManifest group ${g + 1}`;
    const said = (lacks: string) => ({ code: 'badWeightGroup' as const, values: { file: jsonName, group: g + 1, lacks } });
    if (!isRecord(group)) throw new ModelFileError(`${where} is not an object`, said('object'));
    const { paths, weights } = group;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && basename(p) !== '')) {
      throw new ModelFileError(`${where} has no list of weights files (paths)`, said('paths'));
    }
    if (!Array.isArray(weights)) throw new ModelFileError(`${where} has no list of weights`, said('weights'));
    weights.forEach((spec: unknown, w) => {
      const valid =
        isRecord(spec) &&
        typeof spec['name'] === 'string' &&
        typeof spec['dtype'] === 'string' &&
        Array.isArray(spec['shape']) &&
        spec['shape'].every((d) => Number.isInteger(d) && d >= 0);
      if (!valid) {
        throw new ModelFileError(`${where}, weight ${w + 1}: needs a name, a shape and a dtype`, {
          code: 'badWeightSpec',
          values: { file: jsonName, group: g + 1, weight: w + 1 },
        });
      }
    });
    return { paths: paths as string[], weights: weights as tf.io.WeightsManifestEntry[] };
  });
}

function specBytes(spec: tf.io.WeightsManifestEntry, jsonName: string): number {
  const dtype: string = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES_PER_VALUE[dtype];
  if (size === undefined) {
    throw new ModelFileError(`${jsonName}: the weight '${spec.name}' is stored as ${dtype}, which LeNet Lab cannot read`, {
      code: 'unreadableDtype',
      values: { file: jsonName, weight: spec.name, dtype },
    });
  }
  return spec.shape.reduce((n, d) => n * d, 1) * size;
}

/** The last path segment, as tf.io.browserFiles matches manifest paths to chosen files ('./a/b.bin' -> 'b.bin'). */
function basename(path: string): string {
  return path.trim().replace(/\/+$/, '').split('/').pop() ?? '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What JSON holds instead of an object: 'null', 'array', 'string', 'number' or 'boolean'. */
function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function describeJson(value: unknown): string {
  const kind = jsonKind(value);
  return kind === 'null' ? 'null' : `a${kind === 'array' ? 'n' : ''} ${kind}`;
}

function quoteList(names: string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

function bytes(count: number): string {
  return `${count.toLocaleString('en-US')} bytes`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
