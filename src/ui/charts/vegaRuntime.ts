/**
 * The first of the charts' three code chunks (see `vis` in charts.tsx): vega's runtime (its
 * dataflow, scenegraph and d3), evaluated in a task of its own. tfjs-vis pins vega's version; this
 * imports the same copy, so the chunk is shared with vis.ts, not repeated.
 */
export { View } from 'vega';
