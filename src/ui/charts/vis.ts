/**
 * The tfjs-vis renderers (and vega under them, about 1 MB of the page's code), in a chunk of
 * their own: charts.tsx imports this file dynamically, so the page mounts without it and fetches
 * it while idle after the data set is ready (warmUpCharts).
 */
export { confusionMatrix } from '@tensorflow/tfjs-vis/dist/render/confusion_matrix';
export { linechart } from '@tensorflow/tfjs-vis/dist/render/linechart';
export { scatterplot } from '@tensorflow/tfjs-vis/dist/render/scatterplot';
