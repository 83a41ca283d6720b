// Tiny DOM builders. Text only ever goes in through textContent, so prompt and token text
// (which may contain "<script>") can never become markup.

export const SVG_NS = 'http://www.w3.org/2000/svg';

type AttributeValue = string | number | boolean;

export interface ElementOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, AttributeValue>;
}

function applyOptions(element: Element, options: ElementOptions): void {
  if (options.className) element.setAttribute('class', options.className);
  if (options.attrs) for (const [name, value] of Object.entries(options.attrs)) element.setAttribute(name, String(value));
  if (options.text !== undefined) element.textContent = options.text;
}

/** An HTML element with a class, attributes and plain-text content. */
export function html<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyOptions(element, options);
  element.append(...children);
  return element;
}

/** An SVG element (createElementNS: SVG made with createElement does not render). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Node[] = [],
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  applyOptions(element, options);
  element.append(...children);
  return element;
}
