import { useEffect } from 'react';
import { isRunning, type AppState, type Notice } from '../ui/state/appState';
import { DataPanel } from '../ui/panels/DataPanel';
import { EvaluatePanel } from '../ui/panels/EvaluatePanel';
import { ModelPanel } from '../ui/panels/ModelPanel';
import { ModelsPanel, savedModelLabel } from '../ui/panels/ModelsPanel';
import { DrawPanel } from '../ui/panels/DrawPanel';
import { ClassDigitsPanel } from '../ui/panels/ClassDigitsPanel';
import { ExplorerPanel } from '../ui/panels/ExplorerPanel';
import { InsidePanel } from '../ui/panels/InsidePanel';
import { TrainPanel } from '../ui/panels/TrainPanel';
import { WhyPanel } from '../ui/panels/WhyPanel';
import { RunsPanel } from '../ui/panels/RunsPanel';
import { useSubjectRequests } from '../ui/inside/subject';
import { useOffline, type OfflineState } from '../ui/hooks/useOffline';
import { usePresentMode } from '../ui/hooks/usePresentMode';
import { useStaggered } from '../ui/hooks/useStaggered';
import { useTrainer, type TrainerHandle } from '../ui/hooks/useTrainer';
import type { Saying } from '../shared/protocol';
import type { Strings } from '../ui/i18n/en';
import { useFormat, useLanguage, useSay, useStrings } from '../ui/i18n/I18n';
import { LANGUAGE_NAMES, type Language } from '../ui/i18n/language';

/**
 * In page order: the lesson first (Train and Draw, side by side on a laptop or a projector, the
 * first screen at 1366x768), the class's own digits under it, then the results, why the network
 * answered as it did, its insides and the runs compared, then the data and the model for the
 * curious, then the saved models.
 */
const PANELS = ['train', 'draw', 'class', 'evaluate', 'why', 'inside', 'runs', 'data', 'explorer', 'model', 'models'] as const;
/** What a projector shows: the curves, the results, the canvas and its prediction. */
const PRESENT_PANELS = ['train', 'evaluate', 'draw'] as const;

/** The tab's title shows the run's progress: a class can follow it from another tab. */
function useProgressTitle(state: AppState) {
  const strings = useStrings();
  const epoch = state.batch?.epoch;
  const total = state.plan?.settings.epochs;
  const title = isRunning(state.phase) && epoch && total ? `${strings.train.epoch} ${epoch}/${total} · ${strings.title}` : strings.title;
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** "WebGL: the WebGL context was lost. Training continues from epoch 3 (the last one completed) in a fresh worker." */
function noticeText(notice: Notice, strings: Strings, say: (saying: Saying) => string): string {
  const words = strings.notice;
  const lost = notice.lost ? words.lost(notice.lost === 'webgl' ? 'WebGL' : notice.lost) : '';
  const outcome = notice.outcome === 'resumed' ? words.resumed(notice.epoch ?? 0) : words[notice.outcome];
  return `${lost}${say(notice.cause).replace(/[.。]$/, '')}${words.stop}${outcome}`;
}

/** Faults the app recovered from, and on a fresh page the model saved last time. */
function Banners({ trainer }: { trainer: TrainerHandle }) {
  const strings = useStrings();
  const format = useFormat();
  const say = useSay();
  const { state } = trainer;
  const newest = state.savedModels[0];
  const offer = newest && !state.model && !isRunning(state.phase) && !state.recovery ? newest : null;
  return (
    <>
      {state.notice ? (
        <div className="notice banner" role="status" data-testid="fault-notice">
          <span>{noticeText(state.notice, strings, say)}</span>
          <button type="button" className="secondary" onClick={trainer.dismissNotice}>
            {strings.models.dismiss}
          </button>
        </div>
      ) : null}
      {offer ? (
        <div className="notice banner" data-testid="saved-model-offer-box">
          <span>{strings.models.offer}</span>
          <button
            type="button"
            data-testid="saved-model-offer"
            disabled={state.dataset === null}
            onClick={() => trainer.useSavedModel(offer.id)}
          >
            {savedModelLabel(offer, strings.models, format)}
          </button>
        </div>
      ) : null}
    </>
  );
}

/**
 * Switches between the two languages: the button names the other one in itself ("中文" on the
 * English page), as bilingual sites do, so a reader who cannot read the page can still find it.
 * `data-lang` is the language shown now. Its accessible name is that name too (spoken in that
 * language, `lang`), its description the action in the page's language.
 */
function LanguageSwitch() {
  const strings = useStrings();
  const { language, setLanguage } = useLanguage();
  const other: Language = language === 'en' ? 'zh' : 'en';
  return (
    <button
      type="button"
      className="secondary"
      data-testid="language-switch"
      data-lang={language}
      title={strings.language.switchTo}
      onClick={() => setLanguage(other)}
    >
      {other === 'zh' ? (
        <svg className="language-name" role="img" aria-label={LANGUAGE_NAMES.zh} lang="zh" viewBox="0 0 2000 1000">
          <path d={ZH_NAME_OUTLINE} />
        </svg>
      ) : (
        <span lang={other}>{LANGUAGE_NAMES[other]}</span>
      )}
    </button>
  );
}

/**
 * "中文" as outlines (Noto Sans CJK SC Regular, 1000 units an em, baseline at 880): drawn as text,
 * these two characters made the English page load a CJK font for its first layout, a task of
 * 120-200 ms instead of 40-50 on the test machine (Chromium traces, with and without them). The
 * Chinese page needs that font anyway.
 */
const ZH_NAME_OUTLINE =
  'M458 40V219H96V694H171V632H458V959H537V632H825V689H902V219H537V40ZM171 558V292H458V558ZM825 558H537V292H825Z M1423 57C1453 106 1485 173 1497 214L1580 187C1566 146 1531 81 1501 33ZM1050 216V290H1206C1265 442 1344 573 1447 680C1337 772 1202 840 1036 887C1051 905 1075 940 1083 958C1250 904 1389 832 1502 734C1615 834 1751 908 1915 953C1928 932 1950 900 1967 884C1807 844 1671 773 1560 679C1661 576 1738 448 1796 290H1954V216ZM1504 627C1410 532 1336 418 1284 290H1711C1661 425 1592 536 1504 627Z';

/** Whether the app works offline yet; and, when a new version is cached, a button to switch to it. */
function OfflineStatus({ ready }: { ready: boolean }) {
  const strings = useStrings();
  const { state, updateReady, update } = useOffline(ready);
  const text: Record<OfflineState, string> = {
    // Plain http on a school server: browsers allow service workers on https and localhost only.
    unavailable: window.isSecureContext ? '' : strings.offline.needsHttps,
    pending: '',
    saving: strings.offline.saving,
    ready: strings.offline.ready,
    failed: strings.offline.failed,
  };
  return (
    <>
      <span className="offline-status muted small" data-testid="offline-status" data-offline={state} role="status">
        {text[state]}
      </span>
      {updateReady ? (
        <button type="button" className="secondary" data-testid="update-app" onClick={update}>
          {strings.offline.update}
        </button>
      ) : null}
    </>
  );
}

/** Page layout: header, panel navigation, the panels. `data-state` is the automation contract. */
export function App() {
  const strings = useStrings();
  const trainer = useTrainer();
  const { state } = trainer;
  const { present, togglePresent } = usePresentMode();
  const { language } = useLanguage();
  useProgressTitle(state);
  useSubjectRequests(trainer);
  const shown = (id: (typeof PANELS)[number]) => !present || (PRESENT_PANELS as readonly string[]).includes(id);
  // The lesson (Train, Draw) mounts first; the nine panels below it, one per idle moment once the
  // data is in (or failed): while it loads, the worker needs the CPU more than they do.
  const later = useStaggered(9, state.phase !== 'loading');
  return (
    <div className={present ? 'app app--present' : 'app'} id="app" data-state={state.phase} data-present={present} lang={language}>
      <header className="app__header">
        <div className="app__title">
          <h1>{strings.title}</h1>
          <div className="app__tools">
            <OfflineStatus ready={state.dataset !== null} />
            <LanguageSwitch />
            <button type="button" className="secondary" data-testid="present-toggle" aria-pressed={present} onClick={togglePresent}>
              {present ? strings.present.off : strings.present.on}
            </button>
          </div>
        </div>
        {present ? null : <p className="app__tagline">{strings.tagline}</p>}
        <nav aria-label={strings.panelsLabel}>
          {PANELS.filter(shown).map((id) => (
            <a key={id} href={`#${id}`}>
              {strings.panels[id]}
            </a>
          ))}
        </nav>
        <Banners trainer={trainer} />
      </header>
      <main className="app__panels">
        <div className="lesson">
          <TrainPanel trainer={trainer} present={present} />
          <DrawPanel trainer={trainer} present={present} />
        </div>
        {later >= 1 && shown('class') ? <ClassDigitsPanel trainer={trainer} /> : null}
        {later >= 2 ? (
          <EvaluatePanel
            evaluation={state.evaluation}
            digitLists={state.digitLists}
            queryDigits={trainer.queryDigits}
            inspect={trainer.inspect}
            present={present}
          />
        ) : null}
        {later >= 3 && shown('why') ? <WhyPanel trainer={trainer} /> : null}
        {later >= 4 && shown('inside') ? <InsidePanel trainer={trainer} /> : null}
        {later >= 5 && shown('runs') ? <RunsPanel trainer={trainer} /> : null}
        {later >= 6 && shown('data') ? <DataPanel dataset={state.dataset} /> : null}
        {later >= 7 && shown('explorer') ? (
          <ExplorerPanel
            loaded={state.dataset !== null}
            labelCounts={state.dataset?.labelCounts ?? null}
            evaluation={state.evaluation}
            digitLists={state.digitLists}
            queryDigits={trainer.queryDigits}
            inspect={trainer.inspect}
          />
        ) : null}
        {later >= 8 && shown('model') ? <ModelPanel summary={state.modelSummary} /> : null}
        {later >= 9 && shown('models') ? <ModelsPanel trainer={trainer} /> : null}
      </main>
    </div>
  );
}
