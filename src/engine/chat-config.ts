// What a model folder says about ending a turn and about chat: its stop ids (generation_config.json's
// eos_token_id, a number or a list) and its chat template (tokenizer_config.json's chat_template, or
// the chat_template.jinja file newer checkpoints ship, which transformers.js 4.3 does not read for
// text-only tokenizers).

type IdOrIds = number | number[] | null | undefined;

function idList(value: IdOrIds): number[] {
  if (typeof value === 'number') return [value];
  return Array.isArray(value) ? value.filter((id): id is number => typeof id === 'number') : [];
}

/** generation_config.json's eos_token_id, else config.json's, else the tokenizer's eos token. */
export function stopIdsOf(generationConfig: { eos_token_id?: IdOrIds } | null | undefined, config: { eos_token_id?: IdOrIds } | null | undefined, tokenizerEosId: number | null | undefined): number[] {
  for (const candidate of [generationConfig?.eos_token_id, config?.eos_token_id]) {
    const ids = idList(candidate);
    if (ids.length > 0) return [...new Set(ids)];
  }
  return typeof tokenizerEosId === 'number' ? [tokenizerEosId] : [];
}

/** The template to render: tokenizer_config.json's (a string, or the "default" of a named list), else chat_template.jinja's. */
export function chatTemplateOf(configTemplate: unknown, jinjaFile: string | null): string | null {
  if (typeof configTemplate === 'string' && configTemplate.trim() !== '') return configTemplate;
  if (configTemplate && typeof configTemplate === 'object') {
    const named = (configTemplate as Record<string, unknown>).default;
    if (typeof named === 'string') return named;
  }
  return jinjaFile !== null && jinjaFile.trim() !== '' ? jinjaFile : null;
}
