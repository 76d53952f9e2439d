/**
 * A list the worker keeps in memory and in this browser's store (the class digits, the run
 * history): read from the store the first time it is needed, kept here after that; written to the
 * store before the page is told. Where storage fails, the list lives in memory for this page and the
 * page is warned once (session.reportStorage).
 */
import type { Session } from './session';

export function storedList<T>(session: Session, read: (() => Promise<T[]>) | null, order: (a: T, b: T) => number) {
  /** In `order`; null until read from the store. */
  let list: T[] | null = null;
  let reading: Promise<T[]> | null = null;
  return {
    /** The list, read from the store the first time. */
    all(): Promise<T[]> {
      if (list) return Promise.resolve(list);
      reading ??= (async () => {
        let stored: T[] = [];
        try {
          stored = read ? await read() : [];
        } catch (error) {
          session.reportStorage(error);
        }
        list ??= stored.sort(order);
        return list;
      })();
      return reading;
    },
    /** The list after a change. */
    replace(next: T[]): void {
      list = next;
    },
    /** Stores a change; a failure is reported, and the change kept for this page all the same. */
    async save(change: () => Promise<void> | undefined): Promise<void> {
      try {
        await change();
      } catch (error) {
        session.reportStorage(error);
      }
    },
  };
}
