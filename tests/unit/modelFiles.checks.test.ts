/**
 * The checks on uploaded model files, message by message: the sentence a person reads (English) and
 * the code and values the other languages word it from. Small hand-written model.json files: no
 * model is built, so each check is seen on its own.
 */
import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { filesToArtifacts, ModelFileError, type ModelFile } from '../../src/model/modelFiles';

const encode = (text: string): ArrayBuffer => {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};
const json = (name: string, content: unknown): ModelFile => ({ name, bytes: encode(JSON.stringify(content)) });
const bin = (name: string, bytes: number[] | number): ModelFile => ({
  name,
  bytes: typeof bytes === 'number' ? new ArrayBuffer(bytes) : Uint8Array.from(bytes).buffer,
});

/** A layers model.json naming `paths` for `weights` (a 2x2 and a 3 float32 weight unless told otherwise). */
const layersJson = (
  paths: string[] = ['./w.bin'],
  weights: tf.io.WeightsManifestEntry[] = [
    { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' },
    { name: 'dense/bias', shape: [3], dtype: 'float32' },
  ],
) => ({ modelTopology: { class_name: 'Sequential', config: {} }, format: 'layers-model', weightsManifest: [{ paths, weights }] });

/** The ModelFileError that reading `files` must throw: its message and what it says to other languages. */
function refusal(files: ModelFile[]): { message: string; said: ModelFileError['said'] } {
  try {
    filesToArtifacts(files);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    const { message, said, name } = error as ModelFileError;
    expect(name).toBe('ModelFileError');
    return { message, said };
  }
  throw new Error('expected a ModelFileError');
}

describe('which files were chosen', () => {
  it('no .json file: asks for it, naming what was chosen', () => {
    expect(refusal([])).toEqual({
      message: "Choose the model's .json file together with its weights file (.bin)",
      said: { code: 'noJson', values: { chosen: '' } },
    });
    expect(refusal([bin('w.bin', 4), bin('notes.txt', 1)])).toEqual({
      message: "Choose the model's .json file together with its weights file (.bin) (chosen: 'w.bin', 'notes.txt')",
      said: { code: 'noJson', values: { chosen: "'w.bin', 'notes.txt'" } },
    });
  });

  it('two .json files (whatever their case): one model at a time', () => {
    expect(refusal([json('a.json', layersJson()), bin('w.bin', 28), json('B.JSON', layersJson())])).toEqual({
      message: "Choose one model at a time: 'a.json', 'B.JSON' are all .json files",
      said: { code: 'severalJson', values: { names: "'a.json', 'B.JSON'" } },
    });
  });

  it('finds the .json file whatever its case and wherever it is in the list', () => {
    const read = filesToArtifacts([bin('w.bin', 28), json('Model.JSON', layersJson())]);
    expect(read.jsonName).toBe('Model.JSON');
  });
});

describe('what the .json file holds', () => {
  it('not JSON: the parser’s own message', () => {
    let detail = '';
    try {
      JSON.parse('{"modelTopology": [');
    } catch (error) {
      detail = (error as Error).message;
    }
    const broken = { name: 'm.json', bytes: encode('{"modelTopology": [') };
    expect(refusal([broken])).toEqual({
      message: `m.json is not valid JSON: ${detail}`,
      said: { code: 'notJson', values: { file: 'm.json', detail } },
    });
    // The parser's error stays attached, for the console.
    expect(() => filesToArtifacts([broken])).toThrow(expect.objectContaining({ cause: expect.any(SyntaxError) }));
  });

  it('JSON that is not an object, named as what it is', () => {
    const cases: [unknown, string, string][] = [
      [[1, 2], 'an array', 'array'],
      ['model', 'a string', 'string'],
      [42, 'a number', 'number'],
      [true, 'a boolean', 'boolean'],
      [null, 'null', 'null'],
    ];
    for (const [content, described, holds] of cases) {
      expect(refusal([json('m.json', content)])).toEqual({
        message: `m.json does not describe a model: it holds ${described}, not an object`,
        said: { code: 'notObject', values: { file: 'm.json', holds } },
      });
    }
  });

  it('a graph model, by its format, by a graph without a topology, or by a topology of TensorFlow ops', () => {
    const graph = {
      message:
        "g.json is a graph model (from tensorflowjs_converter), which LeNet Lab cannot use: it needs a layers model (format 'layers-model'), such as the files LeNet Lab downloads",
      said: { code: 'graphModel', values: { file: 'g.json' } },
    };
    expect(refusal([json('g.json', { ...layersJson(), format: 'graph-model' })])).toEqual(graph);
    expect(refusal([json('g.json', { graph: {}, weightsManifest: layersJson().weightsManifest })])).toEqual(graph);
    expect(refusal([json('g.json', { ...layersJson(), modelTopology: { node: [{ op: 'Placeholder' }], versions: {} } })])).toEqual(graph);
  });

  it('is not fooled into calling a layers model a graph model', () => {
    const files = (content: unknown) => [json('m.json', content), bin('w.bin', 28)];
    // A layers topology that happens to have a `node` list, or a Keras file's model_config.
    expect(() => filesToArtifacts(files({ ...layersJson(), modelTopology: { class_name: 'Sequential', node: [] } }))).not.toThrow();
    expect(() => filesToArtifacts(files({ ...layersJson(), modelTopology: { model_config: {}, node: [] } }))).not.toThrow();
    // A `node` that is not a list, and a `graph` key beside a real topology.
    expect(() => filesToArtifacts(files({ ...layersJson(), modelTopology: { node: {} } }))).not.toThrow();
    expect(() => filesToArtifacts(files({ ...layersJson(), graph: {} }))).not.toThrow();
  });

  it('no modelTopology object', () => {
    const bare = {
      message: 'm.json has no modelTopology: it is not a TensorFlow.js layers model',
      said: { code: 'noTopology', values: { file: 'm.json' } },
    };
    const { weightsManifest } = layersJson();
    expect(refusal([json('m.json', { weightsManifest })])).toEqual(bare);
    expect(refusal([json('m.json', { modelTopology: [], weightsManifest })])).toEqual(bare);
    expect(refusal([json('m.json', { modelTopology: 'Sequential', weightsManifest })])).toEqual(bare);
  });

  it('keeps userDefinedMetadata only when it is an object', () => {
    const read = (metadata: unknown) =>
      filesToArtifacts([json('m.json', { ...layersJson(), userDefinedMetadata: metadata }), bin('w.bin', 28)]);
    expect(read({ accuracy: 0.99 }).metadata).toEqual({ accuracy: 0.99 });
    expect(read([1]).metadata).toBeNull();
    expect(read('note').metadata).toBeNull();
  });
});

describe('the weights manifest', () => {
  const topology = layersJson().modelTopology;
  const withManifest = (weightsManifest: unknown) => [json('m.json', { modelTopology: topology, weightsManifest }), bin('w.bin', 28)];

  it('missing, not a list, or empty', () => {
    const none = {
      message: 'm.json names no weights files (its weightsManifest is missing or empty)',
      said: { code: 'noWeightsManifest', values: { file: 'm.json' } },
    };
    expect(refusal(withManifest(undefined))).toEqual(none);
    expect(refusal(withManifest({ paths: ['w.bin'] }))).toEqual(none);
    expect(refusal(withManifest([]))).toEqual(none);
  });

  it('a group that is not an object, or lacks its paths or its weights, by its number', () => {
    const good = layersJson().weightsManifest[0]!;
    const group = (n: number, lacks: string, what: string) => ({
      message: `m.json: weightsManifest group ${n} ${what}`,
      said: { code: 'badWeightGroup', values: { file: 'm.json', group: n, lacks } },
    });
    expect(refusal(withManifest([good, 'w.bin']))).toEqual(group(2, 'object', 'is not an object'));
    expect(refusal(withManifest([good, null]))).toEqual(group(2, 'object', 'is not an object'));
    for (const paths of [undefined, 'w.bin', [], [3], ['w.bin', '/'], ['  ']]) {
      expect(refusal(withManifest([{ ...good, paths }]))).toEqual(group(1, 'paths', 'has no list of weights files (paths)'));
    }
    expect(refusal(withManifest([good, { paths: ['v.bin'], weights: {} }]))).toEqual(group(2, 'weights', 'has no list of weights'));
  });

  it('a weight without a name, a dtype or a shape of whole non-negative numbers, by its number', () => {
    const weight = (w: number) => ({
      message: `m.json: weightsManifest group 1, weight ${w}: needs a name, a shape and a dtype`,
      said: { code: 'badWeightSpec', values: { file: 'm.json', group: 1, weight: w } },
    });
    const ok = { name: 'a', shape: [2], dtype: 'float32' };
    const bad = [
      'a',
      null,
      { shape: [2], dtype: 'float32' },
      { name: 7, shape: [2], dtype: 'float32' },
      { name: 'a', shape: [2] },
      { name: 'a', shape: [2], dtype: 4 },
      { name: 'a', dtype: 'float32' },
      { name: 'a', shape: 2, dtype: 'float32' },
      { name: 'a', shape: [2.5], dtype: 'float32' },
      { name: 'a', shape: [-1], dtype: 'float32' },
      { name: 'a', shape: ['2'], dtype: 'float32' },
    ];
    for (const spec of bad) expect(refusal(withManifest([{ paths: ['w.bin'], weights: [ok, spec] }]))).toEqual(weight(2));
    // A dimension of 0 is a weight with no values: allowed.
    const empty = filesToArtifacts([
      json('m.json', layersJson(['w.bin'], [{ name: 'a', shape: [0, 7], dtype: 'float32' }])),
      bin('w.bin', 0),
    ]);
    expect(empty.artifacts.weightSpecs).toHaveLength(1);
  });
});

describe('the weights files', () => {
  it('one named but not chosen', () => {
    expect(refusal([json('lenet.json', layersJson(['./weights/lenet.bin'])), bin('other.bin', 28)])).toEqual({
      message: "The weights file 'lenet.bin' named in lenet.json was not chosen: choose it together with lenet.json",
      said: { code: 'weightsNotChosen', values: { file: 'lenet.json', missing: "'lenet.bin'" } },
    });
  });

  it('several named but not chosen, across groups, the chosen one left out of the list', () => {
    const manifest = [
      { paths: ['a.bin'], weights: [] },
      { paths: ['b.bin', 'c.bin'], weights: [{ name: 'k', shape: [7], dtype: 'float32' }] },
    ];
    expect(refusal([json('m.json', { ...layersJson(), weightsManifest: manifest }), bin('b.bin', 28)])).toEqual({
      message: "The weights files 'a.bin', 'c.bin' named in m.json were not chosen: choose them together with m.json",
      said: { code: 'weightsNotChosen', values: { file: 'm.json', missing: "'a.bin', 'c.bin'" } },
    });
  });

  it('the .json file itself is never taken for a weights file', () => {
    expect(refusal([json('m.json', layersJson(['m.json']))]).said).toEqual({
      code: 'weightsNotChosen',
      values: { file: 'm.json', missing: "'m.json'" },
    });
  });

  it('matches manifest paths to chosen files by their last segment, spaces and trailing slashes aside', () => {
    const read = filesToArtifacts([json('m.json', layersJson([' ./shards/w.bin// '])), bin('w.bin', 28)]);
    expect(read.artifacts.weightData.byteLength).toBe(28);
  });

  it('of the wrong size: both byte counts, in words for one file or several', () => {
    expect(refusal([json('m.json', layersJson()), bin('w.bin', 1000)])).toEqual({
      message: "The weights ('w.bin') are 1,000 bytes; m.json describes 28 bytes: the file is truncated or belongs to another model",
      said: { code: 'weightsSize', values: { file: 'm.json', paths: "'w.bin'", found: 1000, expected: 28 } },
    });
    expect(refusal([json('m.json', layersJson(['a.bin', 'b.bin'])), bin('a.bin', 20), bin('b.bin', 4)])).toEqual({
      message: "The weights ('a.bin', 'b.bin') are 24 bytes; m.json describes 28 bytes: the files are truncated or belong to another model",
      said: { code: 'weightsSize', values: { file: 'm.json', paths: "'a.bin', 'b.bin'", found: 24, expected: 28 } },
    });
  });

  it('sizes each dtype by its bytes per value, a quantized weight by its quantized dtype', () => {
    const sizes: [tf.io.WeightsManifestEntry, number][] = [
      [{ name: 'f32', shape: [3], dtype: 'float32' }, 12],
      [{ name: 'i32', shape: [3], dtype: 'int32' }, 12],
      [{ name: 'b', shape: [3], dtype: 'bool' }, 3],
      [{ name: 'c64', shape: [3], dtype: 'complex64' }, 24],
      [{ name: 'q8', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }, 3],
      [{ name: 'q16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 1, min: 0 } }, 6],
      [{ name: 'f16', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } }, 6],
      [{ name: 'scalar', shape: [], dtype: 'float32' }, 4],
      [{ name: 'grid', shape: [2, 3, 4], dtype: 'float32' }, 96],
    ];
    for (const [spec, bytes] of sizes) {
      const files = (n: number) => [json('m.json', layersJson(['w.bin'], [spec])), bin('w.bin', n)];
      expect([spec.name, filesToArtifacts(files(bytes)).artifacts.weightData.byteLength]).toEqual([spec.name, bytes]);
      expect([spec.name, refusal(files(bytes + 1)).said.values['expected']]).toEqual([spec.name, bytes]);
    }
  });

  it('a dtype it cannot size: names the weight and the dtype', () => {
    const spec: tf.io.WeightsManifestEntry = { name: 'vocab', shape: [2], dtype: 'string' };
    expect(refusal([json('m.json', layersJson(['w.bin'], [spec])), bin('w.bin', 8)])).toEqual({
      message: "m.json: the weight 'vocab' is stored as string, which LeNet Lab cannot read",
      said: { code: 'unreadableDtype', values: { file: 'm.json', weight: 'vocab', dtype: 'string' } },
    });
  });

  it('joins the files in manifest order (not the order chosen), using the first of two with the same name', () => {
    const read = filesToArtifacts([
      bin('b.bin', [5, 6, 7, 8]),
      json('m.json', layersJson(['a.bin', 'dir/b.bin'], [{ name: 'k', shape: [2], dtype: 'float32' }])),
      bin('a.bin', [1, 2, 3, 4]),
      bin('b.bin', [9, 9, 9, 9]),
      bin('unrelated.bin', [0]),
    ]);
    expect(Array.from(new Uint8Array(read.artifacts.weightData))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(read.artifacts.modelTopology).toEqual(layersJson().modelTopology);
    expect(read.artifacts.weightSpecs).toEqual([{ name: 'k', shape: [2], dtype: 'float32' }]);
  });
});
