// The Trace: everything one forward pass of the model computed for the current prompt.
// It is the contract between compute (src/engine) and view (slides): slides import this package,
// never the engine. A Trace is plain data: it crosses postMessage as is and JSON through
// traceToJson / traceFromJson, so it can be saved, printed and rendered again.
export * from './types';
export * from './generation';
export * from './base-model-input';
export * from './tensors';
export * from './json';
export * from './output-names';
export * from './logit-lens';
export * from './readers';
export * from './attribution';
export * from './knock-out';
