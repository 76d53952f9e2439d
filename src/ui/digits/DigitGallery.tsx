import { useEffect, useMemo, useRef } from 'react';
import type { DigitItem, DigitQuery, SplitName } from '../../shared/protocol';
import { PIXELS_PER_IMAGE } from '../../shared/protocol';
import { digitListKey, type DigitList } from '../state/appState';
import { DigitCanvas } from './DigitCanvas';
import type { TrainerHandle } from '../hooks/useTrainer';
import type { Strings } from '../i18n/en';
import type { Format } from '../i18n/format';
import { useFormat, useStrings } from '../i18n/I18n';

/** Digits per page of a gallery. */
export const GALLERY_PAGE = 60;

/**
 * The page of `query` at `offset`: from the state when the worker has listed it, else asked for
 * (once per `version`: a new model or evaluation makes the old pages stale).
 */
export function useDigitList(
  trainer: Pick<TrainerHandle, 'queryDigits'> & { state: { digitLists: Record<string, DigitList> } },
  query: DigitQuery | null,
  offset: number,
  version: unknown,
): DigitList | null {
  const key = query ? digitListKey(query, offset) : '';
  const list = query ? (trainer.state.digitLists[key] ?? null) : null;
  const asked = useRef<{ key: string; version: unknown } | null>(null);
  const { queryDigits } = trainer;
  useEffect(() => {
    if (!query || list) return;
    if (asked.current?.key === key && asked.current.version === version) return;
    asked.current = { key, version };
    queryDigits(query, offset, GALLERY_PAGE);
  }, [query, list, key, version, offset, queryDigits]);
  return list;
}

/** What a digit's caption says: "7 → 9" and the confidence for a misread digit, else its number in the set. */
function Caption({ item }: { item: DigitItem }) {
  const format = useFormat();
  if (item.predicted === null || item.predicted === item.label)
    return <span className="gallery__caption">#{format.count(item.index)}</span>;
  return (
    <span className="gallery__caption gallery__caption--wrong">
      {item.label} → {item.predicted}
      <br />
      {format.percent(item.probabilities?.[item.predicted] ?? 0, 1)}
    </span>
  );
}

/** "Look inside…" and the model's three likeliest digits, for a mouse hovering over a digit. */
function tooltip(item: DigitItem, s: Strings['gallery'], format: Format): string {
  if (!item.probabilities) return s.lookInside;
  const top = item.probabilities
    .map((p, digit) => [digit, p] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([digit, p]) => `${digit}: ${format.percent(p, 1)}`);
  return `${s.lookInside}\n${top.join(' · ')}`;
}

interface DigitGalleryProps {
  list: DigitList | null;
  testId: string;
  onPick: (item: DigitItem) => void;
  onPage: (offset: number) => void;
  empty: string;
}

/** A page of digits, each a button that opens it in the Inside panel; paging below. */
export function DigitGallery({ list, testId, onPick, onPage, empty }: DigitGalleryProps) {
  const strings = useStrings();
  const s = strings.gallery;
  const format = useFormat();
  // One view per digit, made once per page: the canvases redraw only when the page changes.
  const tiles = useMemo(
    () => list?.items.map((_, i) => list.bytes.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE)) ?? [],
    [list],
  );
  if (!list)
    // A page of empty tiles while the digits come: the gallery takes its place at once, so nothing
    // below it moves when they arrive (a click aimed below it, at Continue or Download, once landed
    // on whatever had moved there).
    return (
      <div className="gallery" data-testid={testId} data-total="" aria-busy="true">
        <ol className="gallery__items" aria-hidden="true">
          {Array.from({ length: GALLERY_PAGE }, (_, i) => (
            <li key={i}>
              <span className="gallery__digit gallery__digit--waiting">
                <span className="digit" />
                <span className="gallery__caption">{'\u00a0'}</span>
              </span>
            </li>
          ))}
        </ol>
        {/* Where the paging row will be, as tall. */}
        <div className="controls gallery__paging">
          <button type="button" className="secondary" disabled>
            {s.previous}
          </button>
          <span className="muted">{s.loading}</span>
          <button type="button" className="secondary" disabled>
            {s.next}
          </button>
        </div>
      </div>
    );
  const { items, offset, total } = list;
  return (
    <div className="gallery" data-testid={testId} data-total={total} data-offset={offset}>
      {items.length === 0 ? <p className="muted">{empty}</p> : null}
      <ol className="gallery__items">
        {items.map((item, i) => (
          <li key={`${item.split}-${item.index}`}>
            <button
              type="button"
              className="gallery__digit"
              data-testid="gallery-digit"
              data-index={item.index}
              data-label={item.label}
              data-predicted={item.predicted ?? ''}
              data-probabilities={item.probabilities?.join(' ') ?? ''}
              title={tooltip(item, s, format)}
              onClick={() => onPick(item)}
            >
              <DigitCanvas bytes={tiles[i]!} label={s.digitLabel(item.label, format.count(item.index))} />
              <Caption item={item} />
            </button>
          </li>
        ))}
      </ol>
      {total > items.length ? (
        <div className="controls gallery__paging">
          <button type="button" className="secondary" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - GALLERY_PAGE))}>
            {s.previous}
          </button>
          <span className="muted">{s.range(format.count(offset + 1), format.count(offset + items.length), format.count(total))}</span>
          <button
            type="button"
            className="secondary"
            disabled={offset + items.length >= total}
            onClick={() => onPage(offset + GALLERY_PAGE)}
          >
            {s.next}
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** What picking a digit in a gallery does: opens it in the Why and Inside panels, and brings the first into view (why did it say that?). */
export function lookInside(inspect: TrainerHandle['inspect'], item: { split: SplitName; index: number }) {
  inspect({ split: item.split, index: item.index });
  document.getElementById('why')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}
