// The build's fonts as files, never data: URIs: a host's strict Content-Security-Policy (font-src, or
// default-src, 'self') refuses fonts inlined into CSS. KaTeX's fonts are kept as files by
// assetsInlineLimit (vite.config.ts); Reveal's theme ships its Source Sans Pro already inlined into its
// CSS, so this plugin moves every data:font URI of the built CSS into a file of its own and points the CSS at it.
// Runs in Node at build time only (beside the other build-time helpers vite.config.ts imports: send-file, models-json).
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
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'asset' || !output.fileName.endsWith('.css') || typeof output.source !== 'string') continue;
        const cssFolderDepth = output.fileName.split('/').length - 1;
        output.source = moveInlinedFonts(output.source, (bytes, extension) => {
          const fileName = this.getFileName(this.emitFile({ type: 'asset', name: `inlined-font.${extension}`, source: bytes }));
          // fileName is relative to the output folder; the CSS refers to it from its own folder.
          const parts = fileName.split('/');
          return cssFolderDepth > 0 && parts.length > 1 && parts[0] === output.fileName.split('/')[0] ? parts.slice(1).join('/') : '../'.repeat(cssFolderDepth) + fileName;
        });
      }
    },
  };
}
