/**
 * Drawing with the keyboard, for whoever cannot use a mouse, a finger or a pen: the arrow keys move
 * the pen over the drawing area, Space (or Enter) puts it down and lifts it again. Pure: the Draw
 * panel keeps the pen and turns its moves into the same strokes a pointer makes.
 */

/** A step of the pen, in drawing-area units (280 a side): 10 is one MNIST pixel after scaling to 28. */
export const PEN_STEP = 10;
/** With Shift: fine steps, for small corrections. */
export const FINE_STEP = 3;

export interface PenPosition {
  x: number;
  y: number;
}

const DIRECTIONS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** Where an arrow key moves the pen, kept `margin` inside the area; null for any other key. */
export function movePen(at: PenPosition, key: string, fine: boolean, size: number, margin: number): PenPosition | null {
  const direction = DIRECTIONS[key];
  if (!direction) return null;
  const step = fine ? FINE_STEP : PEN_STEP;
  const clamp = (v: number) => Math.min(size - margin, Math.max(margin, v));
  return { x: clamp(at.x + direction[0] * step), y: clamp(at.y + direction[1] * step) };
}

/** What a key does to the drawing besides moving the pen. */
export type PenAction = 'toggle' | 'lift' | 'undo' | 'clear' | null;

export function penAction(key: string): PenAction {
  switch (key) {
    case ' ':
    case 'Enter':
      return 'toggle';
    case 'Escape':
      return 'lift';
    case 'Backspace':
      return 'undo';
    case 'Delete':
      return 'clear';
    default:
      return null;
  }
}
