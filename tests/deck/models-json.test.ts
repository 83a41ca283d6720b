// models.json (src/cli/models-json.ts): what each model folder says about itself, read from its own
// files, and the dev server's answer; the title slide's menu built from it (src/deck/model-menu.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listModelFolders, modelsJsonMiddleware, writeModelsJson, type ModelListing } from '../../src/cli/models-json';
import { modelAboutText, modelMenuLabel, parameterText, urlForModel } from '../../src/deck/model-menu';
import { SMOLLM2_360M_INSTRUCT_CONFIG } from '../fixtures/published-configs';
import { SMOLLM2_CHAT_TEMPLATE } from '../fixtures/chat-templates';

const root = mkdtempSync(join(tmpdir(), 'models-json-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, name, path, '..'), { recursive: true });
    writeFileSync(join(root, name, path), text);
  }
}

folder('smollm2-360m-instruct', {
  'config.json': JSON.stringify(SMOLLM2_360M_INSTRUCT_CONFIG),
  'tokenizer_config.json': JSON.stringify({ chat_template: SMOLLM2_CHAT_TEMPLATE }),
  'onnx/model.onnx': 'x',
  'onnx/model_fp16.onnx': 'x',
  'onnx/model.onnx_data': 'x',
  'README.md': '# Some other card title\n',
});
folder('jinja-chat', { 'config.json': JSON.stringify(SMOLLM2_360M_INSTRUCT_CONFIG), 'chat_template.jinja': '{{ x }}', 'onnx/model_fp16.onnx': 'x' });
folder('no-graph', { 'config.json': JSON.stringify(SMOLLM2_360M_INSTRUCT_CONFIG) });
folder('bad-config', { 'config.json': '{ not json', 'onnx/model.onnx': 'x' });
writeFileSync(join(root, 'stray-file.txt'), 'not a folder');

describe('models.json', () => {
  it('describes the embedded model from its own files, the model card’s line included', () => {
    const [sotu] = listModelFolders('assets/models').models.filter((m) => m.name === 'sotu-gpt');
    expect(sotu).toEqual({
      name: 'sotu-gpt',
      family: 'gpt2',
      modelType: 'gpt2',
      parameterCount: 5_322_240, // the model card's figure
      precisions: ['fp32'],
      chatTemplate: false,
      description: 'a small GPT-2 trained on State of the Union addresses',
    });
  });

  it('lists only loadable folders: family, size, every precision in onnx/, the chat template from either file', () => {
    const { models } = listModelFolders(root);
    expect(models.map((m) => m.name)).toEqual(['jinja-chat', 'smollm2-360m-instruct']);
    const smol = models[1];
    expect(smol).toMatchObject({ family: 'llama', modelType: 'llama', precisions: ['fp32', 'fp16'], chatTemplate: true, description: null });
    expect(smol.parameterCount).toBeGreaterThan(360e6); // SmolLM2-360M: 361.8 M with tied embeddings
    expect(smol.parameterCount).toBeLessThan(363e6);
    expect(models[0]).toMatchObject({ precisions: ['fp16'], chatTemplate: true });
  });

  it('writes the file, and the dev server answers it fresh at <base>models/models.json', async () => {
    const out = join(root, 'out.json');
    const written = writeModelsJson(root, out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(written);
    const middleware = modelsJsonMiddleware('/deck/', root);
    let body = '';
    let passed = false;
    const res = { setHeader: () => undefined, end: (text: string) => (body = text) };
    middleware({ url: '/deck/models/models.json?x=1' } as never, res as never, () => (passed = true));
    expect(JSON.parse(body)).toEqual(written);
    middleware({ url: '/deck/models/sotu-gpt/config.json' } as never, res as never, () => (passed = true));
    expect(passed).toBe(true);
  });
});

describe('the model menu', () => {
  const sotu: ModelListing = { name: 'sotu-gpt', family: 'gpt2', modelType: 'gpt2', parameterCount: 5_322_240, precisions: ['fp32'], chatTemplate: false, description: 'a small GPT-2 trained on State of the Union addresses' };
  it('labels each model with family, size, precision and kind', () => {
    expect(modelMenuLabel(sotu)).toBe('sotu-gpt · GPT-2 · 5.3 M parameters · fp32 · base model');
    expect(modelMenuLabel({ ...sotu, name: 'q', modelType: 'qwen2', family: 'llama', parameterCount: 1_235_814_400, precisions: ['fp32', 'fp16'], chatTemplate: true })).toBe('q · Qwen2 · 1.24 B parameters · fp32/fp16 · chat model');
    expect(parameterText(494_032_768)).toBe('494.0 M');
  });

  it('says what the embedded model read, and that it continues rather than answers', () => {
    expect(modelAboutText(sotu)).toBe('sotu-gpt: a small GPT-2 trained on State of the Union addresses. A base model: it continues your text; it does not answer questions.');
  });

  it('keeps the prompt and the slide when it switches models', () => {
    expect(urlForModel({ pathname: '/deck/', search: '?prompt=hi&model=sotu-gpt', hash: '#/title' }, 'tiny-chat')).toBe('/deck/?prompt=hi&model=tiny-chat#/title');
  });
});
