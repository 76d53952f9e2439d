/**
 * Every piece of UI text comes from the language's strings (src/ui/i18n): a scan of the components'
 * syntax trees for words written into JSX, and checks that Chinese has every English string.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/ui/i18n/en';
import { formatFor } from '../../src/ui/i18n/format';
import { LOCALES, pickLanguage } from '../../src/ui/i18n/language';
import { zh } from '../../src/ui/i18n/zh';

const ROOTS = ['src/ui', 'src/app'];
/** Attributes a person reads or hears. */
const READ_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'title',
  'alt',
  'placeholder',
  'label',
]);
/** Text that is the same in every language: symbols, names, units of the data itself. */
const WORDS = /[A-Za-z]{2,}/;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'i18n' ? [] : tsxFiles(path);
    return path.endsWith('.tsx') ? [path] : [];
  });
}

/** Words written straight into JSX: text children, read attributes, string and template literals as children. */
function hardCodedText(source: string, file = 'component.tsx'): string[] {
  const found: string[] = [];
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const literalText = (node: ts.Node): string | null => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
    return null;
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && WORDS.test(node.text)) found.push(node.text.trim());
    if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText(tree)) && node.initializer) {
      const init = node.initializer;
      const text = ts.isStringLiteral(init) ? init.text : ts.isJsxExpression(init) && init.expression ? literalText(init.expression) : null;
      if (text !== null && WORDS.test(text)) found.push(`${node.name.getText(tree)}="${text}"`);
    }
    if (ts.isJsxExpression(node) && node.expression && ts.isJsxElement(node.parent)) {
      const text = literalText(node.expression);
      if (text !== null && WORDS.test(text)) found.push(text);
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

/** Every leaf of a strings object, by path: strings and functions (called with sample arguments). */
function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof value === 'object' && value !== null) {
    // `said` is empty in English (the worker's own sentence is shown): compared on its own below.
    for (const [key, child] of Object.entries(value).filter(([key]) => !(path === '' && key === 'said')))
      for (const [p, v] of leaves(child, path ? `${path}.${key}` : key)) out.set(p, v);
  } else out.set(path, value);
  return out;
}

describe('no hard-coded UI text', () => {
  it('the scan finds words in JSX text, read attributes and literal children', () => {
    const found = hardCodedText(
      `const A = () => <div title="Click me" aria-label={'Close'} data-testid="x-y">Hello {'there'} {\`n \${1} items\`} {s.ok} 7 → 9 ×</div>;`,
    );
    expect(found).toEqual(['title="Click me"', 'aria-label="Close"', 'Hello', 'there', 'n   items']);
  });

  it.each(ROOTS.flatMap(tsxFiles))('%s has none', (file) => {
    expect(hardCodedText(readFileSync(file, 'utf8'), file)).toEqual([]);
  });
});

describe('Chinese', () => {
  const english = leaves(en);
  const chinese = leaves(zh);

  it('has every English string and nothing else', () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('translates them: no leaf is left in English', () => {
    // Strings that are names or symbols in both languages.
    // The optimizers' own names are the same in Chinese texts on machine learning.
    const same = new Set([
      'title',
      'train.modelOptions.lenet5',
      'train.modelOptions.lenet5-classic',
      'why.optimizers.sgd',
      'why.optimizers.adam',
      'why.optimizers.rmsprop',
    ]);
    const untranslated = [...english].filter(([path, value]) => {
      const other = chinese.get(path);
      if (typeof value === 'function' || typeof other === 'function') return false;
      return !same.has(path) && WORDS.test(String(value)) && other === value;
    });
    expect(untranslated.map(([path]) => path)).toEqual([]);
  });

  it('words what the worker says, filling in its values', () => {
    expect(zh.said.weightsSize!({ file: 'm.json', paths: "'m.bin'", found: 1000, expected: 177704 })).toBe(
      "权重（'m.bin'）共 1,000 字节；m.json 描述的是 177,704 字节：文件不完整，或者属于另一个模型",
    );
    expect(zh.said.settingRange!({ setting: 'epochs', raw: '0' })).toBe('轮数必须是 1 到 100 之间的整数；收到的是“0”');
    expect(en.said).toEqual({});
  });

  it('functions take the same arguments in both languages', () => {
    for (const [path, value] of english) {
      if (typeof value === 'function')
        expect([path, (chinese.get(path) as (...a: unknown[]) => string).length]).toEqual([path, value.length]);
    }
  });
});

describe('pickLanguage', () => {
  it('prefers ?lang=, then the stored choice, then the browser languages, else English', () => {
    expect(pickLanguage('?lang=zh', 'en', ['en-US'])).toBe('zh');
    expect(pickLanguage('?present=1&lang=en', 'zh', ['zh-CN'])).toBe('en');
    expect(pickLanguage('?lang=fr', 'zh', ['en'])).toBe('zh');
    expect(pickLanguage('', null, ['fr-FR', 'zh-TW', 'en'])).toBe('zh');
    expect(pickLanguage('', null, ['de', 'fr'])).toBe('en');
    expect(pickLanguage('', 'bogus', [])).toBe('en');
  });
});

describe('formatFor', () => {
  it('formats numbers, durations and dates for each language', () => {
    const english = formatFor('en');
    const chinese = formatFor('zh');
    expect(english.count(60000)).toBe('60,000');
    expect(english.percent(0.9871)).toBe('98.71%');
    expect(english.duration(65_000)).toBe('1 min 05 s');
    expect(chinese.duration(65_000)).toBe('1 分 05 秒');
    expect(chinese.duration(42_000)).toBe('42 秒');
    expect(english.megabytes(16_800_000)).toBe('16.8 MB');
    const date = '2026-11-27T22:33:00';
    expect(chinese.dateTime(date)).toMatch(/^2026年11月27日/);
    expect(english.dateTime(date)).toMatch(/Nov 27, 2026/);
  });

  it('writes dates exactly as Intl does in both languages (with no Intl formatter to build)', () => {
    // Every hour of a leap year and minutes across the hour, in the machine's own time zone.
    const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };
    for (const language of ['en', 'zh'] as const) {
      const intl = new Intl.DateTimeFormat(LOCALES[language], options);
      const format = formatFor(language);
      for (let t = Date.UTC(2028, 0, 1); t < Date.UTC(2029, 0, 1); t += 3_600_000 + 7 * 60_000) {
        const iso = new Date(t).toISOString();
        expect(format.dateTime(iso), iso).toBe(intl.format(new Date(t)));
      }
    }
  });

  it('writes counts and decimals exactly as Intl does in both languages (with no Intl formatter to build)', () => {
    // decimal() rounds the shortest decimal itself (no locale data to load on the first render): the
    // same text as Intl, ties (1.005) and negatives included, for values of every size the page shows.
    let x = 12345;
    const values = [0.125, -0.125, 2.5, -2.5, 1.005, 0.0412, 98.71, 0.99995, 12_345.678, -7.45e-5, 1e-7, 59_999.5];
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      values.push((x / 2 ** 32 - 0.5) * 10 ** ((x % 9) - 4));
    }
    for (const language of ['en', 'zh'] as const) {
      const format = formatFor(language);
      for (const digits of [0, 1, 2, 3, 4]) {
        const intl = new Intl.NumberFormat(LOCALES[language], {
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
          useGrouping: false,
        });
        for (const value of values) expect(format.decimal(value, digits), `${value} to ${digits} digits`).toBe(intl.format(value));
      }
    }
    expect(formatFor('en').decimal(-0, 2)).toBe('0.00');
    for (const value of [Infinity, -Infinity, NaN]) {
      expect(formatFor('en').decimal(value, 2)).toBe(new Intl.NumberFormat('en-US', { minimumFractionDigits: 2 }).format(value));
    }
    for (const language of ['en', 'zh'] as const) {
      const intl = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 0 });
      for (const value of [0, 7, 999, 1000, 59_999.5, 60_000, 1_234_567, 12_345_678.49, -1500, ...values.map((v) => v * 1e6)]) {
        expect(formatFor(language).count(value), `${value} counted`).toBe(intl.format(value));
      }
    }
  });
});
