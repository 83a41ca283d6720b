// Driving the built deck in headless Debian chromium from Node: for `npm run handout`, `npm run bench`
// and the browser tests (tests/browser/), which compare what it shows with Node's own run.
export { buildDeck, MODEL_NAME, MODELS_FOLDER, modelFolderOrThrow } from './build-deck';
export { CHROMIUM_FLAGS, CHROMIUM_PATH, launchChromium, WEBGPU_FLAGS } from './chromium';
export { waitForEngineIdle, waitForGenerations, waitForTrace } from './deck-waits';
export { openDeck, type OpenDeck } from './open-deck';
export { setPromptValue, submitThroughPromptBar, typePrompt } from './prompt-input';
export { readSlideNumbers, slideState, type SlideNumbers } from './read-slides';
export { DECK_PATH, serveFolder, type Override, type ServeOptions, type StaticServer } from './serve-folder';
