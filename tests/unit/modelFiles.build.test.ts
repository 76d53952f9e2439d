/**
 * A model to artifacts and back with a small digit classifier (flatten + dense, built in each test):
 * what each refusal says and carries, the optimizer weights a Keras file may hold, and the shapes
 * checkDigitClassifier refuses. Every refused model is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { artifactsToModel, ModelFileError, modelToArtifacts, type StoredArtifacts } from '../../src/model/modelFiles';

beforeEach(async () => {
  await tf.setBackend('cpu');
});

/** [28, 28, 1] digits to 10 classes: 7,850 parameters. */
const digitClassifier = () =>
  tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });

async function artifactsOf(model: tf.LayersModel): Promise<StoredArtifacts> {
  const artifacts = await modelToArtifacts(model);
  model.dispose();
  return artifacts;
}

/** The ModelFileError `promise` must reject with, and the tensors left over from it (none). */
async function refusal(promise: Promise<unknown>) {
  const error: unknown = await promise.then(
    () => new Error('expected a ModelFileError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  return error as ModelFileError;
}

describe('modelToArtifacts', () => {
  it('gives the Keras topology, every weight’s spec and their bytes in one buffer', async () => {
    const artifacts = await artifactsOf(digitClassifier());
    expect(artifacts.modelTopology).toMatchObject({ class_name: 'Sequential' });
    expect(artifacts.weightSpecs.map((s) => [s.shape, s.dtype])).toEqual([
      [[784, 10], 'float32'],
      [[10], 'float32'],
    ]);
    expect(artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    expect(artifacts.weightData.byteLength).toBe(7850 * 4);
  });
});

describe('artifactsToModel', () => {
  it('builds the model back with its weights', async () => {
    const original = digitClassifier();
    const artifacts = await modelToArtifacts(original);
    const restored = await artifactsToModel(artifacts);
    expect(restored.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(original.getWeights().map((w) => Array.from(w.dataSync())));
    original.dispose();
    restored.dispose();
  });

  it('skips the optimizer state a Keras file may carry', async () => {
    const artifacts = await artifactsOf(digitClassifier());
    const withOptimizer: StoredArtifacts = {
      ...artifacts,
      weightSpecs: [...artifacts.weightSpecs, { name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' }],
      weightData: new Uint8Array([...new Uint8Array(artifacts.weightData), 7, 0, 0, 0]).buffer,
    };
    const before = tf.memory().numTensors;
    const model = await artifactsToModel(withOptimizer);
    expect(model.getWeights()).toHaveLength(2);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a topology tfjs cannot build: the tfjs message as the detail, the tfjs error as the cause', async () => {
    const artifacts = await artifactsOf(digitClassifier());
    const error = await refusal(artifactsToModel({ ...artifacts, modelTopology: { class_name: 'NoSuchModel', config: {} } }));
    const detail = (error.cause as Error).message;
    expect(detail).toContain('NoSuchModel');
    expect(error.message).toBe(`The model in model.json cannot be built: ${detail}`);
    expect(error.said).toEqual({ code: 'cannotBuild', values: { detail } });
  });

  it('weights that cannot be decoded (too few bytes): their own message, and no tensor left behind', async () => {
    const artifacts = await artifactsOf(digitClassifier());
    const before = tf.memory().numTensors;
    const error = await refusal(artifactsToModel({ ...artifacts, weightData: artifacts.weightData.slice(0, 100) }));
    const detail = (error.cause as Error).message;
    expect(error.message).toBe(`The weights of the model in model.json cannot be read: ${detail}`);
    expect(error.said).toEqual({ code: 'weightsUnreadable', values: { detail } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('weights that do not fit the topology: their own message and cause', async () => {
    const artifacts = await artifactsOf(digitClassifier());
    const renamed = artifacts.weightSpecs.map((s) => ({ ...s, name: `other/${s.name}` }));
    const before = tf.memory().numTensors;
    const error = await refusal(artifactsToModel({ ...artifacts, weightSpecs: renamed }));
    const detail = (error.cause as Error).message;
    expect(error.message).toBe(`The weights do not fit the model in model.json: ${detail}`);
    expect(error.said).toEqual({ code: 'weightsMismatch', values: { detail } });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('checkDigitClassifier, through artifactsToModel', () => {
  it('refuses 28x28 digits without their channel axis, saying what the model takes and gives', async () => {
    const flat = await artifactsOf(
      tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28] }), tf.layers.dense({ units: 10, activation: 'softmax' })] }),
    );
    const before = tf.memory().numTensors;
    const error = await refusal(artifactsToModel(flat));
    expect(error.message).toBe(
      'This model takes input [null,28,28] and gives [null,10]; LeNet Lab needs 28x28x1 digits in and 10 classes out.',
    );
    expect(error.said).toEqual({ code: 'notClassifier', values: { inputs: '[null,28,28]', outputs: '[null,10]' } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a model with two outputs, even of 10 classes each', async () => {
    const input = tf.input({ shape: [28, 28, 1] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const outputs = [0, 1].map((i) => tf.layers.dense({ units: 10, name: `head${i}` }).apply(flat) as tf.SymbolicTensor);
    const twoHeads = await artifactsOf(tf.model({ inputs: input, outputs }));
    const error = await refusal(artifactsToModel(twoHeads));
    expect(error.said).toEqual({ code: 'notClassifier', values: { inputs: '[null,28,28,1]', outputs: '[null,10] and [null,10]' } });
  });
});
