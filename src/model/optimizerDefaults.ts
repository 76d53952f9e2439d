/**
 * The optimizers' names and Keras' defaults, for tfjs's optimizers, the LeNet Lab engine and the
 * worked learning step alike. No tfjs here: the page's code imports it too.
 */
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
export const RMSPROP_DEFAULTS = { decay: 0.9, momentum: 0, epsilon: 1e-7 } as const;
