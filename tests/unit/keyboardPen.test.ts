import { describe, expect, it } from 'vitest';
import { FINE_STEP, PEN_STEP, movePen, penAction } from '../../src/ui/drawing/keyboardPen';

describe('keyboard pen', () => {
  const centre = { x: 140, y: 140 };

  it('moves a step per arrow key, a fine step with Shift, and ignores other keys', () => {
    expect(movePen(centre, 'ArrowRight', false, 280, 9)).toEqual({ x: 140 + PEN_STEP, y: 140 });
    expect(movePen(centre, 'ArrowUp', false, 280, 9)).toEqual({ x: 140, y: 140 - PEN_STEP });
    expect(movePen(centre, 'ArrowLeft', true, 280, 9)).toEqual({ x: 140 - FINE_STEP, y: 140 });
    expect(movePen(centre, 'ArrowDown', true, 280, 9)).toEqual({ x: 140, y: 140 + FINE_STEP });
    expect(movePen(centre, 'a', false, 280, 9)).toBeNull();
  });

  it('stays inside the drawing area, a pen radius from its edges', () => {
    expect(movePen({ x: 12, y: 200 }, 'ArrowLeft', false, 280, 9)).toEqual({ x: 9, y: 200 });
    expect(movePen({ x: 12, y: 275 }, 'ArrowDown', false, 280, 9)).toEqual({ x: 12, y: 271 });
  });

  it('maps Space and Enter to pen down/up, Escape to lift, Backspace to undo, Delete to clear', () => {
    expect([' ', 'Enter', 'Escape', 'Backspace', 'Delete', 'Tab'].map(penAction)).toEqual([
      'toggle',
      'toggle',
      'lift',
      'undo',
      'clear',
      null,
    ]);
  });
});
