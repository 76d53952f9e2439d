/**
 * The run history (issue 18): every finished run with its settings, curves and test results, kept
 * in this browser (IndexedDB) so two runs can be compared side by side, and one pinned as the
 * baseline whose curves the next runs' charts show dashed. It owns `runs`; the store comes through
 * the session. Where storage fails, the history lives in memory for this page.
 */
import { newId } from '../model/modelStore';
import type { RunRecord } from '../shared/protocol';
import type { Session } from './session';
import { storedList } from './storedList';

/** Runs kept: the oldest unpinned run goes when a new one would pass this. */
export const RUNS_KEPT = 30;

export type RunHistory = ReturnType<typeof createRunHistory>;

export function createRunHistory(session: Session) {
  const store = session.store?.runs ?? null;
  /** Oldest first. */
  const { all, save } = storedList<RunRecord>(session, store && (() => store.list()), (a, b) => a.finishedAt.localeCompare(b.finishedAt));

  async function post(): Promise<void> {
    const list = await all();
    session.post({ type: 'runsListed', runs: [...list].reverse() });
  }

  return {
    list: post,
    /** A run finished (its test evaluation done): kept, the oldest unpinned one dropped past RUNS_KEPT. */
    async add(run: Omit<RunRecord, 'id' | 'finishedAt' | 'pinned'>): Promise<void> {
      const list = await all();
      const record: RunRecord = { ...run, id: newId(), finishedAt: new Date().toISOString(), pinned: false };
      list.push(record);
      const dropped: string[] = [];
      while (list.length > RUNS_KEPT) {
        const oldest = list.findIndex((r) => !r.pinned);
        if (oldest < 0) break;
        dropped.push(list.splice(oldest, 1)[0]!.id);
      }
      await save(() => store?.put([record]));
      if (dropped.length > 0) await save(() => store?.delete(dropped));
      await post();
    },
    /** Pins `id` as the baseline (null: no baseline); any other pin goes. */
    async pin(id: string | null): Promise<void> {
      const list = await all();
      const changed: RunRecord[] = [];
      list.forEach((run, i) => {
        const pinned = run.id === id;
        if (run.pinned !== pinned) {
          list[i] = { ...run, pinned };
          changed.push(list[i]);
        }
      });
      await save(() => store?.put(changed));
      await post();
    },
    async remove(id: string): Promise<void> {
      const list = await all();
      const at = list.findIndex((r) => r.id === id);
      if (at >= 0) list.splice(at, 1);
      await save(() => store?.delete([id]));
      await post();
    },
  };
}
