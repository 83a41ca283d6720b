import { describe, expect, it } from 'vitest';
import { moveInlinedFonts } from '../../src/cli/fonts-as-files';

describe('moveInlinedFonts', () => {
  it('moves each data:font URI into a file and leaves other URLs alone', () => {
    const files: { bytes: number[]; extension: string }[] = [];
    const css = `@font-face{src:url(data:font/woff;base64,AAEC)format("woff")}@font-face{src:url("data:font/woff2;base64,AwQ=")}.a{background:url(data:image/png;base64,AAAA)}.b{src:url(x.woff)}`;
    const moved = moveInlinedFonts(css, (bytes, extension) => {
      files.push({ bytes: [...bytes], extension });
      return `font-${files.length}.${extension}`;
    });
    expect(moved).toBe(`@font-face{src:url(font-1.woff)format("woff")}@font-face{src:url(font-2.woff2)}.a{background:url(data:image/png;base64,AAAA)}.b{src:url(x.woff)}`);
    expect(files).toEqual([
      { bytes: [0, 1, 2], extension: 'woff' },
      { bytes: [3, 4], extension: 'woff2' },
    ]);
  });
});
