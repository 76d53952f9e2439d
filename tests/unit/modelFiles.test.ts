/** A model as layers-format files and back, and the checks on uploaded files, with the real LeNet-5. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildLeNet5 } from '../../src/model/lenet5';
import {
  artifactsToFiles,
  artifactsToModel,
  checkDigitClassifier,
  filesToArtifacts,
  ModelFileError,
  modelToArtifacts,
  type ModelFile,
  type StoredArtifacts,
} from '../../src/model/modelFiles';

/** 44,426 float32 parameters. */
const LENET_BYTES = 177_704;

let lenet: tf.LayersModel;
let artifacts: StoredArtifacts;

beforeAll(async () => {
  await tf.setBackend('cpu');
  lenet = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 1 });
  artifacts = await modelToArtifacts(lenet);
});

afterAll(() => lenet.dispose());

const encode = (text: string): ArrayBuffer => {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};
const jsonFile = (name: string, json: unknown): ModelFile => ({ name, bytes: encode(JSON.stringify(json)) });
const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
/** Probabilities for a few fixed random digits. */
const predict = (m: tf.LayersModel) =>
  tf.tidy(() => (m.predict(tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 42)) as tf.Tensor).arraySync() as number[][]);
/** The parsed model.json of LeNet's files, for variants of it. */
const lenetJson = (): Record<string, unknown> => JSON.parse(new TextDecoder().decode(artifactsToFiles(artifacts, 'lenet')[0]!.bytes));
const lenetBin = (): ModelFile => artifactsToFiles(artifacts, 'lenet')[1]!;

function failure(run: () => unknown): ModelFileError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    return error as ModelFileError;
  }
  throw new Error('expected a ModelFileError');
}

async function rejection(promise: Promise<unknown>): Promise<ModelFileError> {
  const error: unknown = await promise.then(
    () => new Error('expected a ModelFileError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  return error as ModelFileError;
}

/** Just enough of the browser's FileReader for tf.io.browserFiles to read Node's File objects. */
class NodeFileReader {
  result: string | ArrayBuffer | null = null;
  onload: ((event: { target: NodeFileReader }) => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  readAsText(blob: Blob): void {
    void blob.text().then((text) => this.loaded(text), this.onerror);
  }
  readAsArrayBuffer(blob: Blob): void {
    void blob.arrayBuffer().then((buffer) => this.loaded(buffer), this.onerror);
  }
  private loaded(result: string | ArrayBuffer): void {
    this.result = result;
    this.onload?.({ target: this });
  }
}

describe('LeNet-5 as files', () => {
  it('serializes all 44,426 parameters as one float32 buffer, in weightSpecs order', () => {
    expect(artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    expect(artifacts.weightData.byteLength).toBe(LENET_BYTES);
    expect(artifacts.weightSpecs.map((s) => `${s.name} ${s.shape.join('x')} ${s.dtype}`)).toEqual([
      'conv1/kernel 5x5x1x6 float32',
      'conv1/bias 6 float32',
      'conv2/kernel 5x5x6x16 float32',
      'conv2/bias 16 float32',
      'fc1/kernel 256x120 float32',
      'fc1/bias 120 float32',
      'fc2/kernel 120x84 float32',
      'fc2/bias 84 float32',
      'output/kernel 84x10 float32',
      'output/bias 10 float32',
    ]);
  });

  it('round trip model -> artifacts -> files -> artifacts -> model keeps every weight and every prediction, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const files = artifactsToFiles(artifacts, 'lenet-lab-model', { accuracy: 0.9876, epochs: 3 });
    expect(files.map((f) => [f.name, f.bytes.byteLength > 0])).toEqual([
      ['lenet-lab-model.json', true],
      ['lenet-lab-model.weights.bin', true],
    ]);
    const read = filesToArtifacts(files);
    expect(read.jsonName).toBe('lenet-lab-model.json');
    expect(read.metadata).toEqual({ accuracy: 0.9876, epochs: 3 });
    expect(read.artifacts.weightSpecs).toEqual(artifacts.weightSpecs);
    expect(new Uint8Array(read.artifacts.weightData)).toEqual(new Uint8Array(artifacts.weightData));

    const restored = await artifactsToModel(read.artifacts);
    expect(weights(restored)).toEqual(weights(lenet));
    expect(predict(restored)).toEqual(predict(lenet));
    restored.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('writes what tf.io.browserDownloads writes: a layers-model json whose manifest names the .weights.bin', () => {
    const [json, bin] = artifactsToFiles(artifacts, 'digits', { note: 'hi' });
    expect(bin!.name).toBe('digits.weights.bin');
    const parsed = JSON.parse(new TextDecoder().decode(json!.bytes)) as Record<string, unknown>;
    // Same fields in the same order as tfjs-core's getModelJSONForModelArtifacts.
    expect(Object.keys(parsed)).toEqual([
      'modelTopology',
      'format',
      'generatedBy',
      'convertedBy',
      'weightsManifest',
      'userDefinedMetadata',
    ]);
    expect(parsed['format']).toBe('layers-model');
    expect(parsed['generatedBy']).toBe(`TensorFlow.js tfjs-layers v${tf.version.tfjs}`);
    expect(parsed['convertedBy']).toBeNull();
    expect(parsed['weightsManifest']).toEqual([{ paths: ['./digits.weights.bin'], weights: artifacts.weightSpecs }]);
    expect(parsed['modelTopology']).toEqual(JSON.parse(JSON.stringify(artifacts.modelTopology)));
    expect(parsed['userDefinedMetadata']).toEqual({ note: 'hi' });
    expect(lenetJson()).not.toHaveProperty('userDefinedMetadata');
  });

  it('the weights file is a copy: transferring it leaves the artifacts whole', () => {
    const [, bin] = artifactsToFiles(artifacts, 'copy');
    structuredClone(bin!.bytes, { transfer: [bin!.bytes] });
    expect(bin!.bytes.byteLength).toBe(0);
    expect(artifacts.weightData.byteLength).toBe(LENET_BYTES);
  });

  it('the files load with tf.loadLayersModel(tf.io.browserFiles(...)) and predict the same', async () => {
    vi.stubGlobal('FileReader', NodeFileReader);
    try {
      const files = artifactsToFiles(artifacts, 'lenet').map((f) => new File([f.bytes], f.name));
      const loaded = await tf.loadLayersModel(tf.io.browserFiles(files));
      expect(predict(loaded)).toEqual(predict(lenet));
      loaded.dispose();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reads a multi-group manifest with several paths per group, concatenating the files in manifest order', () => {
    const specs = artifacts.weightSpecs;
    const data = new Uint8Array(artifacts.weightData);
    const conv1Bytes = (5 * 5 * 1 * 6 + 6) * 4;
    const slice = (from: number, to?: number) => data.slice(from, to).buffer;
    const json = {
      ...lenetJson(),
      weightsManifest: [
        { paths: ['group1-shard1of2.bin', './group1-shard2of2.bin'], weights: specs.slice(0, 2) },
        { paths: ['some/dir/group2-shard1of1.bin'], weights: specs.slice(2) },
      ],
    };
    const files: ModelFile[] = [
      { name: 'group2-shard1of1.bin', bytes: slice(conv1Bytes) },
      { name: 'unrelated.bin', bytes: new ArrayBuffer(12) },
      { name: 'group1-shard2of2.bin', bytes: slice(100, conv1Bytes) },
      jsonFile('model.json', json),
      { name: 'group1-shard1of2.bin', bytes: slice(0, 100) },
    ];
    const read = filesToArtifacts(files);
    expect(read.jsonName).toBe('model.json');
    expect(read.metadata).toBeNull();
    expect(read.artifacts.weightSpecs).toEqual(specs);
    expect(new Uint8Array(read.artifacts.weightData)).toEqual(data);
  });
});

describe('checks on uploaded files', () => {
  it('no files, or no .json among them', () => {
    const ask = "Choose the model's .json file together with its weights file (.bin)";
    expect(failure(() => filesToArtifacts([])).message).toBe(ask);
    const onlyBin = failure(() => filesToArtifacts([lenetBin()])).message;
    expect(onlyBin).toContain(ask);
    expect(onlyBin).toContain("'lenet.weights.bin'");
  });

  it('more than one .json file', () => {
    const message = failure(() => filesToArtifacts([jsonFile('a.json', lenetJson()), jsonFile('b.JSON', lenetJson()), lenetBin()])).message;
    expect(message).toContain("'a.json'");
    expect(message).toContain("'b.JSON'");
    expect(message).toContain('one model at a time');
  });

  it('malformed JSON, with the parser message', () => {
    const text = '{"modelTopology": {';
    let parserMessage = '';
    try {
      JSON.parse(text);
    } catch (error) {
      parserMessage = (error as Error).message;
    }
    expect(parserMessage).not.toBe('');
    const message = failure(() => filesToArtifacts([{ name: 'broken.json', bytes: encode(text) }, lenetBin()])).message;
    expect(message).toBe(`broken.json is not valid JSON: ${parserMessage}`);
  });

  it('JSON that is not an object', () => {
    expect(failure(() => filesToArtifacts([jsonFile('list.json', [1, 2]), lenetBin()])).message).toContain(
      'list.json does not describe a model',
    );
    expect(failure(() => filesToArtifacts([jsonFile('null.json', null)])).message).toContain('null');
  });

  it('graph models from the converter, by format or by shape', () => {
    const manifest = lenetJson()['weightsManifest'];
    const variants = [
      { format: 'graph-model', modelTopology: { node: [], library: {}, versions: {} }, weightsManifest: manifest },
      { modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], versions: {} }, weightsManifest: manifest },
      { graph: {}, weightsManifest: manifest },
    ];
    for (const json of variants) {
      const message = failure(() => filesToArtifacts([jsonFile('graph.json', json), lenetBin()])).message;
      expect(message).toContain('graph.json is a graph model');
      expect(message).toContain('cannot use');
      expect(message).toContain('layers model');
    }
  });

  it('missing modelTopology', () => {
    const json = lenetJson();
    delete json['modelTopology'];
    expect(failure(() => filesToArtifacts([jsonFile('bare.json', json), lenetBin()])).message).toContain('bare.json has no modelTopology');
  });

  it('missing, empty or malformed weightsManifest', () => {
    const noManifest = lenetJson();
    delete noManifest['weightsManifest'];
    for (const json of [noManifest, { ...lenetJson(), weightsManifest: [] }]) {
      const message = failure(() => filesToArtifacts([jsonFile('m.json', json), lenetBin()])).message;
      expect(message).toContain('m.json');
      expect(message).toContain('weightsManifest is missing or empty');
    }
    const noPaths = { ...lenetJson(), weightsManifest: [{ weights: artifacts.weightSpecs }] };
    expect(failure(() => filesToArtifacts([jsonFile('m.json', noPaths), lenetBin()])).message).toContain(
      'group 1 has no list of weights files',
    );
    const badSpec = {
      ...lenetJson(),
      weightsManifest: [{ paths: ['./lenet.weights.bin'], weights: [{ name: 'w', shape: [-1], dtype: 'float32' }] }],
    };
    expect(failure(() => filesToArtifacts([jsonFile('m.json', badSpec), lenetBin()])).message).toContain('weight 1');
  });

  it('a weights file named in the manifest but not chosen', () => {
    const message = failure(() =>
      filesToArtifacts([jsonFile('lenet.json', lenetJson()), { name: 'other.bin', bytes: new ArrayBuffer(4) }]),
    ).message;
    expect(message).toBe("The weights file 'lenet.weights.bin' named in lenet.json was not chosen: choose it together with lenet.json");
    const twoGroups = {
      ...lenetJson(),
      weightsManifest: [
        { paths: ['./a.bin'], weights: [] },
        { paths: ['./b.bin', './c.bin'], weights: artifacts.weightSpecs },
      ],
    };
    const several = failure(() =>
      filesToArtifacts([jsonFile('model.json', twoGroups), { name: 'b.bin', bytes: new ArrayBuffer(4) }]),
    ).message;
    expect(several).toContain("The weights files 'a.bin', 'c.bin' named in model.json were not chosen");
  });

  it('weights of the wrong size, truncated or too long, with both byte counts', () => {
    const json = jsonFile('lenet.json', lenetJson());
    const short = failure(() => filesToArtifacts([json, { name: 'lenet.weights.bin', bytes: new ArrayBuffer(1000) }])).message;
    expect(short).toBe(
      "The weights ('lenet.weights.bin') are 1,000 bytes; lenet.json describes 177,704 bytes: the file is truncated or belongs to another model",
    );
    const long = failure(() => filesToArtifacts([json, { name: 'lenet.weights.bin', bytes: new ArrayBuffer(LENET_BYTES + 4) }])).message;
    expect(long).toContain('are 177,708 bytes; lenet.json describes 177,704 bytes');
  });

  it('sizes quantized weights by their quantized dtype, and other dtypes by theirs', () => {
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'a', shape: [10, 3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: 0 } }, // 30
      { name: 'b', shape: [5], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.1, min: 0 } }, // 10
      { name: 'c', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } }, // 6
      { name: 'd', shape: [2], dtype: 'int32' }, // 8
      { name: 'e', shape: [3], dtype: 'bool' }, // 3
      { name: 'f', shape: [], dtype: 'float32' }, // 4
    ];
    const json = jsonFile('q.json', { ...lenetJson(), weightsManifest: [{ paths: ['q.bin'], weights: specs }] });
    expect(filesToArtifacts([json, { name: 'q.bin', bytes: new ArrayBuffer(61) }]).artifacts.weightData.byteLength).toBe(61);
    expect(failure(() => filesToArtifacts([json, { name: 'q.bin', bytes: new ArrayBuffer(60) }])).message).toContain(
      "The weights ('q.bin') are 60 bytes; q.json describes 61 bytes",
    );
    const strings = jsonFile('s.json', {
      ...lenetJson(),
      weightsManifest: [{ paths: ['s.bin'], weights: [{ name: 'vocab', shape: [2], dtype: 'string' }] }],
    });
    expect(failure(() => filesToArtifacts([strings, { name: 's.bin', bytes: new ArrayBuffer(8) }])).message).toContain(
      "'vocab' is stored as string",
    );
  });

  it('the size message covers all the files of a multi-file manifest', () => {
    const json = jsonFile('model.json', {
      ...lenetJson(),
      weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: artifacts.weightSpecs }],
    });
    const message = failure(() =>
      filesToArtifacts([json, { name: 'a.bin', bytes: new ArrayBuffer(1000) }, { name: 'b.bin', bytes: new ArrayBuffer(234) }]),
    ).message;
    expect(message).toBe(
      "The weights ('a.bin', 'b.bin') are 1,234 bytes; model.json describes 177,704 bytes: the files are truncated or belong to another model",
    );
  });
});

describe('artifactsToModel', () => {
  async function artifactsOf(build: () => tf.LayersModel): Promise<StoredArtifacts> {
    const model = build();
    const result = await modelToArtifacts(model);
    model.dispose();
    return result;
  }

  it('rejects a model that does not take 28x28x1 digits, disposing it', async () => {
    const wrongInput = await artifactsOf(() =>
      tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 10, activation: 'softmax' })] }),
    );
    const before = tf.memory().numTensors;
    const error = await rejection(artifactsToModel(wrongInput));
    expect(error.message).toBe(
      'This model takes input [null,32,32,3] and gives [null,10]; LeNet Lab needs 28x28x1 digits in and 10 classes out.',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a model that does not give 10 classes, disposing it', async () => {
    const fiveClasses = await artifactsOf(() =>
      tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 5, activation: 'softmax' })] }),
    );
    const before = tf.memory().numTensors;
    const error = await rejection(artifactsToModel(fiveClasses));
    expect(error.message).toContain('gives [null,5]');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a topology tfjs cannot build, with the tfjs message', async () => {
    const before = tf.memory().numTensors;
    const error = await rejection(artifactsToModel({ ...artifacts, modelTopology: { class_name: 'NoSuchModel', config: {} } }));
    expect(error.message).toMatch(/^The model in model\.json cannot be built: .*NoSuchModel/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects weights that do not fit the topology, leaving no tensor behind', async () => {
    const renamed = artifacts.weightSpecs.map((s) => ({ ...s, name: s.name.replace('conv1', 'first') }));
    const before = tf.memory().numTensors;
    const error = await rejection(artifactsToModel({ ...artifacts, weightSpecs: renamed }));
    expect(error.message).toContain('The weights do not fit the model in model.json');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checkDigitClassifier accepts LeNet-5 and rejects a model with two inputs', () => {
    expect(() => checkDigitClassifier(lenet)).not.toThrow();
    const a = tf.input({ shape: [28, 28, 1] });
    const b = tf.input({ shape: [28, 28, 1] });
    const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(sum)) as tf.SymbolicTensor;
    const twoInputs = tf.model({ inputs: [a, b], outputs: out });
    expect(failure(() => checkDigitClassifier(twoInputs)).message).toContain(
      'takes input [null,28,28,1] and [null,28,28,1] and gives [null,10]',
    );
    twoInputs.dispose();
  });
});
