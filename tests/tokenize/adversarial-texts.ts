// Inputs that break naive tokenizers: every test of the tokenizer runs over all of them.
export const ADVERSARIAL_TEXTS: Record<string, string> = {
  plain: 'How do I bake chocolate chip cookies?',
  emoji: 'I love 🍪 and 👩‍👩‍👧‍👦 and 🇺🇸 flags! 😀😀',
  cjk: '你好，世界。日本語のテキスト、한국어 문장.',
  combiningMarks: 'Cafe\u0301 nai\u0308ve Z\u0351\u0364a\u0310l\u0363g\u0365o',
  rightToLeft: 'שלום עולם مرحبا بالعالم ‏mixed‏ ltr',
  whitespace: 'tabs\there\n\nnewlines\r\n  leading spaces   and trailing \t\n',
  controlCharacters: 'bell\u0007 null\u0000 escape\u001b[31m zero\u200bwidth',
  html: '<script>alert("x")</script> &amp; <b>bold</b>',
  contractions: "I'm sure you'll see they've done it, don't you?",
  numbers: 'In 1776, 3.14159 and 1,000,000 and ¾ and ٣',
  long: 'The State of the Union is strong. '.repeat(300).slice(0, 10_000),
};
