// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { MAX_CHOICE_BUTTONS, numberChoices } from '../../src/viz/block-controls';

describe('numberChoices', () => {
  it('is one button per value up to the limit, the chosen one pressed', () => {
    const picked: number[] = [];
    const group = numberChoices('Layer', 4, 2, (value) => picked.push(value));
    const buttons = Array.from(group.querySelectorAll('button'));
    expect(buttons.map((button) => [button.textContent, button.getAttribute('aria-pressed')])).toEqual([['0', 'false'], ['1', 'false'], ['2', 'true'], ['3', 'false']]);
    buttons[3].click();
    expect(picked).toEqual([3]);
  });

  it('is one line past the limit (a deep model): previous, the chosen value, next, and the range', () => {
    const picked: number[] = [];
    const group = numberChoices('Layer', 30, 29, (value) => picked.push(value));
    expect(MAX_CHOICE_BUTTONS).toBeLessThan(30);
    const buttons = Array.from(group.querySelectorAll('button'));
    expect(buttons.map((button) => button.textContent)).toEqual(['◀', '29', '▶']);
    expect(buttons[1].getAttribute('aria-pressed')).toBe('true');
    expect(buttons[2].disabled).toBe(true); // no layer 30
    buttons[0].click();
    expect(picked).toEqual([28]);
    expect(group.textContent).toContain('of 0–29');
  });
});
