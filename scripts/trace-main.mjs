// @ts-check
/**
 * Records a Chromium performance trace of the page from navigation to the end of a run (fresh
 * profile, production build) and lists every main-thread task over 50 ms with what it spent its
 * time on: which scripts ran (by URL and function), style, layout, paint, garbage collection.
 * For finding long tasks; the figures to report come from `npm run bench`.
 *
 *   node scripts/trace-main.mjs [--query "..."] [--width 1366 --height 768] [--train] [--out trace.json]
 */
import { writeFileSync } from 'node:fs';
import { cliOption } from './cli.mjs';
import { serveBuild, waitForState, withPage } from './browser-session.mjs';

const query = cliOption('--query', '');
const width = Number(cliOption('--width', '1366'));
const height = Number(cliOption('--height', '768'));
const out = cliOption('--out', '');
const train = process.argv.includes('--train');
const threshold = Number(cliOption('--threshold', '50'));

// SERVE_DIR=folder serves a build made before instead of building (serveBuild).
const server = await serveBuild();
try {
  await withPage(
    server.executablePath,
    'about:blank',
    async (page) => {
      const cdp = await page.context().newCDPSession(page);
      /** @type {any[]} */
      const events = [];
      cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.start', {
        traceConfig: {
          includedCategories: [...(process.env.TRACE_CATEGORIES ?? 'devtools.timeline,v8.execute,blink.user_timing,toplevel').split(',')],
        },
        transferMode: 'ReportEvents',
      });
      await page.goto(`${server.url}${query ? `?${query}` : ''}`);
      await waitForState(page, ['ready'], 120_000);
      await page.waitForTimeout(train ? 1500 : 4000);
      if (train) {
        await page.getByTestId('train-button').click();
        await waitForState(page, ['done'], 600_000);
        await page.waitForTimeout(1000);
      }
      await cdp.send('Tracing.end');
      await done;
      if (out) writeFileSync(out, JSON.stringify({ traceEvents: events }));
      report(events);
    },
    { width, height },
  );
} finally {
  await server.close();
}

/** @param {any[]} events */
function report(events) {
  const threadNames = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
  const mainKeys = [...threadNames].filter(([, name]) => name === 'CrRendererMain').map(([key]) => key);
  const navStart = events.find(
    (e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame && e.args?.data?.documentLoaderURL?.startsWith('http'),
  )?.ts;
  for (const key of mainKeys) {
    const own = events.filter((e) => `${e.pid}:${e.tid}` === key && e.ph === 'X').sort((a, b) => a.ts - b.ts);
    const tasks = own.filter((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.dur > threshold * 1000);
    if (!tasks.length) continue;
    console.log(`thread ${key}: ${tasks.length} tasks over ${threshold} ms`);
    for (const task of tasks) {
      const inside = own.filter((e) => e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && e !== task);
      /** @type {Map<string, number>} */
      const self = new Map();
      // Self time per event: its duration minus its direct children's.
      for (const e of inside) {
        const children = inside.filter((c) => c !== e && c.ts >= e.ts && c.ts + c.dur <= e.ts + e.dur);
        const direct = children.filter(
          (c) => !children.some((p) => p !== c && p.ts <= c.ts && p.ts + p.dur >= c.ts + c.dur && c !== p && p.dur > c.dur),
        );
        const childTime = direct.reduce((sum, c) => sum + c.dur, 0);
        const d = e.args?.data ?? {};
        const label = `${e.name}${d.url ? ` ${String(d.url).replace(/^.*\//, '')}` : ''}${d.functionName ? ` ${d.functionName}` : ''}${d.type ? ` ${d.type}` : ''}`;
        self.set(label, (self.get(label) ?? 0) + Math.max(0, e.dur - childTime));
      }
      const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 8);
      const at = navStart ? ((task.ts - navStart) / 1000).toFixed(0) : '?';
      console.log(`  at ${at} ms, ${(task.dur / 1000).toFixed(0)} ms: ${top.map(([l, t]) => `${l} ${(t / 1000).toFixed(0)}`).join('; ')}`);
    }
  }
}
