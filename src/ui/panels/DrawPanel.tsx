import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { Preprocessed, Reading, Stroke } from '../../shared/protocol';
import { contextOf } from '../digits/pixels';
import { GrayCanvas } from '../digits/GrayCanvas';
import { ProbabilityBars } from '../digits/ProbabilityBars';
import { movePen, penAction, type PenPosition } from '../drawing/keyboardPen';
import type { TrainerView } from '../hooks/useTrainer';
import { awaitingFirstEpoch } from '../state/appState';
import { Panel } from './Panel';
import { useStrings } from '../i18n/I18n';

/** The drawing area's side in CSS pixels (it shrinks on narrow screens; strokes are stored in these units). */
const CANVAS_SIZE = 280;
/** On-screen pen: bold enough to read on a projector; the network's raster uses its own width. */
const PEN_WIDTH = 18;
/** While a stroke is being drawn, the drawing is re-read at most this often. */
const LIVE_INTERVAL_MS = 100;

type DrawPanelTrainer = TrainerView<'model' | 'reading' | 'plan' | 'lastPredictRequest' | 'epochs' | 'phase', 'predict' | 'addClassDigit'>;

/**
 * Draw a digit with mouse, touch or pen; the worker preprocesses it the way MNIST was made and
 * the model in use reads it, live while drawing and after every epoch while a model trains.
 */
export function DrawPanel({ trainer, present = false }: { trainer: DrawPanelTrainer; present?: boolean }) {
  const strings = useStrings();
  const s = strings.draw;
  const { state, predict } = trainer;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [strokes, setStrokes] = useState<Stroke[]>([]);
  const current = useRef<Stroke | null>(null);
  const lastLive = useRef(0);
  /** The keyboard's pen, shown while the drawing area has the focus. */
  const [pen, setPen] = useState<PenPosition & { shown: boolean; down: boolean }>({
    x: CANVAS_SIZE / 2,
    y: CANVAS_SIZE / 2,
    shown: false,
    down: false,
  });
  const hasModel = state.plan !== null || state.model !== null;
  /** The digit last added to the class digits (said until the next drawing starts). */
  const [added, setAdded] = useState<number | null>(null);

  const redraw = useCallback((all: Stroke[]) => {
    const element = canvas.current;
    const context = contextOf(element ?? null);
    if (!element || !context) return;
    const scale = element.width / CANVAS_SIZE;
    context.setTransform(scale, 0, 0, scale, 0, 0);
    context.fillStyle = '#000';
    context.fillRect(0, 0, CANVAS_SIZE, CANVAS_SIZE);
    context.strokeStyle = '#fff';
    context.fillStyle = '#fff';
    context.lineWidth = PEN_WIDTH;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    for (const stroke of all) {
      const [first, ...rest] = stroke;
      if (!first) continue;
      context.beginPath();
      if (rest.length === 0) context.arc(first[0], first[1], PEN_WIDTH / 2, 0, 2 * Math.PI);
      context.moveTo(first[0], first[1]);
      for (const [x, y] of rest) context.lineTo(x, y);
      if (rest.length === 0) context.fill();
      else context.stroke();
    }
  }, []);

  // Sharp on high-DPI screens: the backing store follows devicePixelRatio.
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const ratio = Math.min(3, window.devicePixelRatio || 1);
    // Resizing clears it to transparent, and the CSS background is the same black: nothing to
    // paint, and no 2D context yet (the page's first one costs a GPU channel, taken later).
    element.width = Math.round(CANVAS_SIZE * ratio);
    element.height = Math.round(CANVAS_SIZE * ratio);
  }, []);

  // Every change of the drawing (stroke ended, undo, clear) and every new epoch re-reads it: the
  // probe digit's probabilities move as the network learns.
  const epochsSeen = state.epochs.length;
  // ...and so does a change of the model in use (restored, uploaded).
  const model = state.model ? `${state.model.source} ${state.model.record.id} ${state.model.record.savedAt}` : '';
  /**
   * A finished stroke is read from the pointer handler itself, in the same render as the stroke
   * count: an answer to a live read of the unfinished stroke never looks like the final one.
   */
  const sentAtStrokeEnd = useRef<{ strokes: Stroke[]; key: string } | null>(null);
  const readKey = `${epochsSeen} ${hasModel} ${model}`;
  const waiting = awaitingFirstEpoch(state);
  useEffect(() => {
    if (waiting) return; // read at epoch 0 (readKey changes then)
    const sent = sentAtStrokeEnd.current;
    sentAtStrokeEnd.current = null;
    if (sent?.strokes === strokes && sent.key === readKey) return;
    predict(strokes);
  }, [strokes, readKey, waiting, predict]);

  /** A pointer position in canvas units (CANVAS_SIZE a side), whatever size CSS gives the canvas. */
  const toCanvas = (element: HTMLCanvasElement, { clientX, clientY }: { clientX: number; clientY: number }): [number, number] => {
    const box = element.getBoundingClientRect();
    const x = ((clientX - box.left) / box.width) * CANVAS_SIZE;
    const y = ((clientY - box.top) / box.height) * CANVAS_SIZE;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  };

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    setAdded(null);
    event.currentTarget.setPointerCapture(event.pointerId);
    current.current = [toCanvas(event.currentTarget, event)];
    redraw([...strokes, current.current]);
  };

  /** A stroke grew: draw it, and read the drawing so far now and then. */
  const strokeGrew = (stroke: Stroke) => {
    redraw([...strokes, stroke]);
    const now = performance.now();
    if (now - lastLive.current >= LIVE_INTERVAL_MS) {
      lastLive.current = now;
      predict([...strokes, stroke]);
    }
  };

  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const stroke = current.current;
    if (!stroke) return;
    const events = event.nativeEvent.getCoalescedEvents?.() ?? [];
    for (const e of events.length > 0 ? events : [event.nativeEvent]) {
      stroke.push(toCanvas(event.currentTarget, e));
    }
    strokeGrew(stroke);
  };

  const endStroke = () => {
    const stroke = current.current;
    if (!stroke) return;
    current.current = null;
    setPen((p) => (p.down ? { ...p, down: false } : p));
    const next = [...strokes, stroke];
    sentAtStrokeEnd.current = { strokes: next, key: readKey };
    setStrokes(next);
    predict(next);
  };

  const undo = () => {
    const next = strokes.slice(0, -1);
    setStrokes(next);
    redraw(next);
  };
  const clear = () => {
    setStrokes([]);
    redraw([]);
  };
  /** Keeps the drawing as a class digit the student meant as `label`, then clears for the next. */
  const addAs = (label: number) => {
    trainer.addClassDigit(strokes, label);
    setAdded(label);
    clear();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moved = movePen(pen, event.key, event.shiftKey, CANVAS_SIZE, PEN_WIDTH / 2);
    if (moved) {
      event.preventDefault(); // the arrows move the pen, not the page
      setPen({ ...pen, ...moved, shown: true });
      const stroke = current.current;
      if (stroke && pen.down) {
        stroke.push([moved.x, moved.y]);
        strokeGrew(stroke);
      }
      return;
    }
    const action = penAction(event.key);
    if (action === null || (action === 'undo' && strokes.length === 0)) return;
    event.preventDefault();
    if (action === 'toggle' && !pen.down) {
      current.current = [[pen.x, pen.y]];
      setPen({ ...pen, shown: true, down: true });
      redraw([...strokes, current.current]);
    } else if (action === 'toggle' || action === 'lift') {
      endStroke();
    } else if (action === 'undo') {
      undo();
    } else {
      clear();
    }
  };

  // Only the answer for what is on the canvas now counts (a live answer mid-stroke is shown too).
  const reading = state.reading;
  return (
    <Panel id="draw" title={strings.panels.draw}>
      <p>{hasModel ? s.intro : s.trainFirst}</p>
      <div className="draw">
        <div className="draw__pad">
          <div className="draw__surface">
            <canvas
              ref={canvas}
              className="draw__canvas"
              data-testid="draw-canvas"
              data-strokes={strokes.length}
              // The keyboard draws too (arrows and Space): an application role lets screen readers pass the keys on.
              role="application"
              tabIndex={0}
              aria-label={s.canvasLabel}
              aria-describedby="draw-keys"
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={endStroke}
              onPointerCancel={endStroke}
              onKeyDown={onKeyDown}
              // The pen shows for the keyboard (focus-visible), not for a mouse or a finger.
              onFocus={(event) => {
                const shown = event.currentTarget.matches(':focus-visible');
                setPen((p) => ({ ...p, shown }));
              }}
              onBlur={() => {
                endStroke();
                setPen((p) => ({ ...p, shown: false }));
              }}
            />
            {pen.shown ? (
              <span
                className={pen.down ? 'draw__pen draw__pen--down' : 'draw__pen'}
                data-testid="draw-pen"
                data-down={pen.down}
                style={{ left: `${(pen.x / CANVAS_SIZE) * 100}%`, top: `${(pen.y / CANVAS_SIZE) * 100}%` }}
                aria-hidden="true"
              />
            ) : null}
          </div>
          <p id="draw-keys" className="muted small draw__keys">
            {s.keys}
          </p>
          <div className="controls">
            <button type="button" className="secondary" data-testid="undo-button" onClick={undo} disabled={strokes.length === 0}>
              {s.undo}
            </button>
            <button type="button" className="secondary" data-testid="clear-button" onClick={clear} disabled={strokes.length === 0}>
              {s.clear}
            </button>
          </div>
          {present ? null : <AddToClass canAdd={strokes.length > 0} added={added} onAdd={addAs} />}
        </div>
        <Prediction
          reading={reading}
          strokes={strokes.length}
          hasModel={hasModel}
          pending={(reading?.requestId ?? 0) < state.lastPredictRequest}
        />
      </div>
      {present ? null : <Steps input={reading?.input ?? null} />}
    </Panel>
  );
}

/**
 * "Add to our class digits": the student says which digit they meant (whatever the network read)
 * with one of ten buttons; the drawing is kept in this browser and the canvas cleared for the next.
 */
function AddToClass({ canAdd, added, onAdd }: { canAdd: boolean; added: number | null; onAdd: (label: number) => void }) {
  const s = useStrings().classDigits;
  return (
    <div className="add-class" role="group" aria-labelledby="add-class-label" data-testid="add-class-digit">
      <span id="add-class-label" className="add-class__label small">
        {s.addAs}
      </span>
      <span className="add-class__buttons">
        {Array.from({ length: 10 }, (_, digit) => (
          <button
            key={digit}
            type="button"
            className="secondary add-class__digit"
            data-testid={`class-digit-label-${digit}`}
            aria-label={s.addDigit(digit)}
            disabled={!canAdd}
            onClick={() => onAdd(digit)}
          >
            {digit}
          </button>
        ))}
      </span>
      <span className="muted small" role="status" data-testid="class-digit-added">
        {added === null ? '' : s.added(added)}
      </span>
    </div>
  );
}

function Prediction({
  reading,
  strokes,
  hasModel,
  pending,
}: {
  reading: Reading | null;
  strokes: number;
  hasModel: boolean;
  pending: boolean;
}) {
  const strings = useStrings();
  const s = strings.draw;
  const probabilities = reading?.probabilities ?? null;
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  const status = strokes === 0 ? s.drawADigit : !hasModel ? s.noModelYet : '';
  const verdict = probabilities ? (reading?.verdict ?? null) : null;
  const kind = verdict?.kind ?? 'none';
  return (
    <div className="prediction" aria-live="polite">
      <div className="prediction__label">{s.prediction}</div>
      {/* The top digit stays here whatever the verdict (tests and the probe read it); the words below say how sure. */}
      <div
        className={`prediction__digit prediction__digit--${kind}`}
        data-testid="prediction"
        data-verdict={kind}
        data-for-strokes={reading?.strokeCount ?? 0}
        data-pending={pending}
        aria-hidden={kind === 'unsure' || kind === 'notDigit' ? true : undefined}
      >
        {best >= 0 ? String(best) : ''}
      </div>
      {verdict ? (
        <p className={`prediction__verdict prediction__verdict--${kind}`} data-testid="prediction-verdict" data-verdict={kind}>
          {verdict.kind === 'sure' ? (
            s.sure(verdict.digit, `${Math.round(verdict.probability * 100)}%`)
          ) : verdict.kind === 'unsure' ? (
            <>
              <strong>{s.notSure(verdict.digits[0], verdict.digits[1])}</strong> <span className="muted small">{s.notSureWhy}</span>
            </>
          ) : (
            <>
              <strong>{s.notADigit}</strong> <span className="muted small">{s.notADigitWhy[verdict.reason]}</span>
            </>
          )}
        </p>
      ) : null}
      {status ? <p className="muted small">{status}</p> : null}
      <ProbabilityBars probabilities={probabilities} marked={best} testId="prediction-probabilities" label={s.probabilities} />
    </div>
  );
}

/** "How the computer sees your digit": the 20-px box, then the 28x28 input the network reads. */
function Steps({ input }: { input: Preprocessed | null }) {
  const strings = useStrings();
  const s = strings.draw;
  // Made once per reading: a new image object each render would repaint the canvas each render.
  const box = useMemo(() => (input ? inSquare(input.box, 20) : null), [input]);
  const pixels = useMemo(() => (input ? { width: 28, height: 28, pixels: input.pixels } : null), [input]);
  return (
    <figure className="steps">
      <figcaption>{s.howItSees}</figcaption>
      <ol className="steps__list">
        <li>
          <GrayCanvas image={box} emptySize={20} className="steps__box" label={s.stepBox} />
          <span>{s.stepBox}</span>
        </li>
        <li>
          <GrayCanvas image={pixels} className="steps__input" label={s.stepInput} testId="input-preview" />
          <span>{s.stepInput}</span>
        </li>
      </ol>
    </figure>
  );
}

/** The fitted box centred in a `side` x `side` square, so the strip shows its true proportions. */
function inSquare(box: Preprocessed['box'], side: number): Preprocessed['box'] {
  const pixels = new Float32Array(side * side);
  const left = Math.floor((side - box.width) / 2);
  const top = Math.floor((side - box.height) / 2);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) pixels[(top + y) * side + left + x] = box.pixels[y * box.width + x]!;
  }
  return { width: side, height: side, pixels };
}
