// The build's fonts as files, never data: URIs: a host's strict Content-Security-Policy (font-src, or
// default-src, 'self') refuses fonts inlined into CSS. KaTeX's fonts are kept as files by
// assetsInlineLimit (vite.config.ts); Reveal's theme ships its Source Sans Pro already inlined into its
// CSS, so this plugin moves every data:font URI of the built CSS into a file of its own and points the CSS at it.
// Runs in Node at build time only (beside the other build-time helpers vite.config.ts imports: send-file, models-json).
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

const DATA_FONT = /url\((["']?)data:font\/(woff2|woff|ttf|otf);base64,([A-Za-z0-9+/=]+)\1\)/g;

/** The CSS with each inlined font replaced by `fileFor(bytes, extension)`'s URL (relative to the CSS file). */
export function moveInlinedFonts(css: string, fileFor: (bytes: Uint8Array, extension: string) => string): string {
  return css.replace(DATA_FONT, (_match, _quote: string, extension: string, base64: string) => `url(${fileFor(Buffer.from(base64, 'base64'), extension)})`);
}

export function fontsAsFiles(): Plugin {
  return {
    name: 'deck-fonts-as-files',
    apply: 'build',
    generateBundle: {
      order: 'post', // after Vite's CSS plugin has written the CSS files (in library mode it does so late)
      handler(_options, bundle) {
        const written = new Map<string, string>(); // a font's file by its hash: each written once
        for (const output of Object.values(bundle)) {
          if (output.type !== 'asset' || !output.fileName.endsWith('.css')) continue;
          const css = typeof output.source === 'string' ? output.source : new TextDecoder().decode(output.source); // library mode gives bytes
          const cssFolder = output.fileName.includes('/') ? output.fileName.slice(0, output.fileName.lastIndexOf('/') + 1) : '';
          output.source = moveInlinedFonts(css, (bytes, extension) => {
            const fileName = `assets/font-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.${extension}`;
            if (!written.has(fileName)) {
              this.emitFile({ type: 'asset', fileName, source: bytes });
              written.set(fileName, fileName);
            }
            // Relative to the CSS file's folder (assets/ in the deck's build, the root in the plugin's).
            return cssFolder === 'assets/' ? fileName.slice('assets/'.length) : '../'.repeat(cssFolder.split('/').length - 1) + fileName;
          });
        }
      },
    },
  };
}
