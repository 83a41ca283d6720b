// Giving the deck a prompt as the presenter does: the first slide's field, or the prompt bar (E).
import type { Page } from 'playwright-core';

/** Types into the first slide's prompt field as the presenter would, then Enter. */
export async function typePrompt(page: Page, prompt: string): Promise<void> {
  await page.fill('#title-prompt', prompt);
  await page.press('#title-prompt', 'Enter');
}

/** Sets the field's value in the page (for strings a keyboard cannot type, like a lone surrogate). */
export async function setPromptValue(page: Page, prompt: string): Promise<void> {
  await page.evaluate((value) => {
    const field = document.querySelector<HTMLTextAreaElement>('#title-prompt')!;
    field.value = value;
    field.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }, prompt);
}

/** The prompt bar, as the presenter uses it on any slide: E, type, Enter (the immediate path). */
export async function submitThroughPromptBar(page: Page, prompt: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('e');
  await page.locator('#prompt-bar-input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.fill('#prompt-bar-input', prompt);
  await page.press('#prompt-bar-input', 'Enter');
}
