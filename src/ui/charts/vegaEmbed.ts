/**
 * The second of the charts' three code chunks (see `vis` in charts.tsx): vega-lite's compiler and
 * vega-embed (tfjs-vis's pinned copies), evaluated in a task of their own.
 */
export { default as embed } from 'vega-embed';
