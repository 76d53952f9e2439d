import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * tfjs-vis names some legends and tooltips by its data fields ("scaleCount", "label", "series",
 * "x"): English on a Chinese page, with no option to change them. This gives them titles: the
 * confusion matrix's tooltips take its xLabel and yLabel and a new `countLabel` option names its
 * legend and counts; the scatterplot's tooltips take its axis labels and its legend loses the
 * "series" title (as tfjs-vis's linechart does); the line chart plots each point at its own x, with
 * whole-number ticks on request (`integerX`, for epochs), and dashes the series named in `dashedSeries`. It rewrites tfjs-vis's code for the build and
 * for the dev server's pre-bundled copy alike; if tfjs-vis's code no longer matches, it fails
 * loudly rather than leaving the labels in English unnoticed.
 */
function tfjsVisLabels(): Plugin {
  /**
   * Redraws that change only the data: tfjs-vis compiles and embeds a whole new vega view on every
   * call (vega-lite compile, vega parse, dataflow: 50-90 ms of main thread on the test machine, a
   * frozen frame every 1.5 s of training). Called again on the same element with the same spec
   * apart from its data, the line chart and the scatterplot now swap the data in the view they
   * made last time and rerun it; anything else (a new size, new series, new titles) embeds afresh.
   */
  const reuseView = `
let lenetViewClass = null;
/** vega's View, whose first run waits for a task of its own. */
function lenetView(View) {
  lenetViewClass ??= class extends View {
    runAsync(...args) {
      if (this.lenetRan) return super.runAsync(...args);
      this.lenetRan = true;
      return new Promise((resolve) => setTimeout(resolve, 0)).then(() => super.runAsync(...args));
    }
  };
  return lenetViewClass;
}
async function lenetEmbed(element, spec, embedOpts, vegaEmbed) {
  const { data, ...rest } = spec;
  const key = JSON.stringify(rest);
  const cached = element.lenetChart;
  if (cached && cached.key === key) {
    cached.view.data('source_0', data.values);
    await cached.view.runAsync();
    return;
  }
  if (cached) cached.view.finalize();
  element.lenetChart = undefined;
  // A fresh chart in four tasks, not one (60-90 ms on the test machine): the vega-lite compile;
  // after a yield, vega's parse; after another (lenetYield, in vega-embed), the view's set-up;
  // after another (lenetView), its first run and render.
  let compiled = null;
  try {
    compiled = vegaEmbed.vegaLite.compile(spec).spec;
  } catch (error) {
    compiled = null; // embedded from the vega-lite spec below, as before
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  const { view } = compiled
    ? await vegaEmbed.default(element, compiled, { ...embedOpts, mode: 'vega', hover: false, lenetYield: true, viewClass: lenetView(vegaEmbed.vega.View) })
    : await vegaEmbed.default(element, spec, embedOpts);
  try {
    view.data('source_0');
    element.lenetChart = { key, view };
  } catch (error) {
    // No data set of that name (another vega-lite version): every redraw embeds afresh, as before.
  }
}
`;
  const embedOnce: [string, string] = [
    'yield vega_embed_1.default(drawArea, spec, embedOpts);',
    'yield lenetEmbed(drawArea, spec, embedOpts, vega_embed_1);',
  ];
  const edits: Record<string, [string, string][]> = {
    confusion_matrix: [
      ["'field': 'scaleCount',", "'field': 'scaleCount', 'title': options.countLabel,"],
      ["{ 'field': 'label', 'type': 'nominal' }", "{ 'field': 'label', 'type': 'nominal', 'title': options.yLabel }"],
      ["{ 'field': 'prediction', 'type': 'nominal' }", "{ 'field': 'prediction', 'type': 'nominal', 'title': options.xLabel }"],
      ["{ 'field': 'count', 'type': 'quantitative' }", "{ 'field': 'count', 'type': 'quantitative', 'title': options.countLabel }"],
      embedOnce,
      ['exports.confusionMatrix = confusionMatrix;', `exports.confusionMatrix = confusionMatrix;${reuseView}`],
    ],
    // vega-embed: with `lenetYield` (lenetEmbed's), a task boundary between vega's parse of the spec
    // and the view's construction, each 30-60 ms for a fresh chart on the test machine.
    'vega-embed': [
      [
        "const runtime = vega.parse(vgSpec, mode === 'vega-lite' ? {} : config, { ast });",
        "const runtime = vega.parse(vgSpec, mode === 'vega-lite' ? {} : config, { ast });\n        if (opts.lenetYield) yield new Promise((resolve) => setTimeout(resolve, 0));",
      ],
    ],
    // The epoch charts: points at their own x (tfjs-vis plots point i at x = i, so epoch 1 sat at 0)
    // and, with the new `integerX` option, whole-number ticks (epochs 1, 2, not 0.0, 0.2, ...).
    linechart: [
      ['x: valueIdx,', 'x: _data[0][valueIdx].x,'],
      // A baseline run's curves (`dashedSeries`, by name) are dashed, each series keeps the colour given
      // for its place (vega sorts a nominal domain otherwise), and a point with no value (NaN) is left out.
      [
        "'mark': { 'type': 'line', 'clip': true },",
        "'mark': { 'type': 'line', 'clip': true, 'strokeDash': (options.dashedSeries || []).includes(seriesName) ? [6, 4] : undefined },",
      ],
      ["'range': options.seriesColors,", "'domain': _series, 'range': options.seriesColors,"],
      ['title: options.xLabel,', "title: options.xLabel, 'axis': options.integerX ? { 'tickMinStep': 1, 'format': 'd' } : undefined,"],
      embedOnce,
      ['exports.linechart = linechart;', `exports.linechart = linechart;${reuseView}`],
    ],
    scatterplot: [
      ["'field': 'series',", "'field': 'series', 'title': null,"],
      // The point's tooltip: its x and y under the axes' titles (`content: 'data'` shows the field names).
      ["'tooltip': { 'content': 'data' },", "'tooltip': { 'content': 'encoding' },"],
      [
        "'encoding': {",
        "'encoding': { 'tooltip': [{ 'field': 'x', 'type': 'quantitative', 'title': options.xLabel }, { 'field': 'y', 'type': 'quantitative', 'title': options.yLabel }],",
      ],
      embedOnce,
      ['exports.scatterplot = scatterplot;', `exports.scatterplot = scatterplot;${reuseView}`],
    ],
  };
  const file =
    /(?:@tensorflow[\\/]tfjs-vis[\\/]dist[\\/]render[\\/](confusion_matrix|scatterplot|linechart)|(vega-embed)[\\/]build[\\/]vega-embed\.module)\.js$/;
  return {
    name: 'lenet-lab:tfjs-vis-labels',
    transform(code, id) {
      const match = file.exec(id);
      const chart = match?.[1] ?? match?.[2];
      if (chart === undefined) return null;
      let out = code;
      for (const [from, to] of edits[chart] ?? []) {
        if (!out.includes(from)) throw new Error(`tfjs-vis-labels: "${from}" is no longer in ${id}; update vite.config.ts`);
        out = out.split(from).join(to);
      }
      return { code: out, map: null };
    },
  };
}

/**
 * V8's explicit compile hint (Chrome 136+): a chunk that starts with `//# allFunctionsCalledOnLoad`
 * has all its functions compiled while it streams in, on a background thread, instead of each one on
 * the main thread at its first call. Measured in a Chromium trace of a page load and its idle chart
 * warm-up on the test machine: the main thread's compiling fell from 3,300 functions (660 ms,
 * traced) to 450 (210 ms). Given to the page's chunks whose code mostly runs (React, the app,
 * tfjs-vis, vega and vega-embed), not to the worker's tfjs, of which a run uses a small part (and a
 * worker's modules are not streamed). Other browsers read a comment. Each name must match a chunk:
 * a renamed chunk fails the build rather than quietly losing its hint.
 */
function eagerCompile(chunkNames: string[]): Plugin {
  const hint = '//# allFunctionsCalledOnLoad\n';
  return {
    name: 'lenet-lab:eager-compile',
    apply: 'build',
    // On the written files: Vite puts its preload map at the top of a chunk after every plugin's
    // generateBundle. The source map moves down by the line added.
    writeBundle(options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      // Only the page's build: the workers' bundles (built apart) hold none of these chunks.
      if (!chunks.some((chunk) => chunk.isEntry && chunk.name === 'index')) return;
      for (const name of chunkNames) {
        const chunk = chunks.find((c) => c.name === name);
        if (!chunk)
          throw new Error(`eager-compile: no chunk named ${name} (chunks: ${chunks.map((c) => c.name).join(', ')}); update vite.config.ts`);
        const file = join(options.dir ?? 'dist', chunk.fileName);
        writeFileSync(file, hint + readFileSync(file, 'utf8'));
        if (existsSync(`${file}.map`)) {
          const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { mappings: string };
          map.mappings = `;${map.mappings}`;
          writeFileSync(`${file}.map`, JSON.stringify(map));
        }
      }
    },
  };
}

// base './': the build works from any folder or sub-path (a school server, a USB stick).
export default defineConfig({
  base: './',
  plugins: [
    react(),
    tfjsVisLabels(),
    eagerCompile(['index', 'client', 'mount', 'vis', 'vega.module', 'vega-embed.module']),
    // Offline use (src/ui/hooks/useOffline.ts registers it): the service worker precaches every file the
    // page and the worker fetch (HTML, JS, CSS, the three WASM binaries, the 11 MB of MNIST data),
    // so after one visit the app loads and trains with no network, as a class on shaky Wi-Fi needs.
    VitePWA({
      injectRegister: false,
      registerType: 'prompt',
      manifest: {
        name: 'LeNet Lab',
        short_name: 'LeNet Lab',
        description: 'Train the LeNet-5 convolutional network on MNIST in the browser, for classroom demos.',
        start_url: './',
        display: 'standalone',
        background_color: '#f4f6fb',
        theme_color: '#2456c7',
        icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,css,wasm,svg,png,u8,json,webmanifest}'],
        // The largest files: the worker's bundle (tfjs, ~1.9 MB) and the data sprites (~1.9 MB each).
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        // Any address of the app (?lang=zh&present=1 ...) opens the cached page.
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // The first install takes over the open page, so a reload is not needed before going offline.
        clientsClaim: true,
      },
    }),
  ],
  optimizeDeps: { rolldownOptions: { plugins: [tfjsVisLabels()] } },
  worker: { format: 'es' },
  // tfjs in the worker and vega (under tfjs-vis) on the page are large by nature (about 1.9 and
  // 1.4 MB minified); the default 500 kB warning would fire on every build.
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2500 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
