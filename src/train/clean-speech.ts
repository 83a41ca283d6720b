// Stage notes are the transcriber's, not the speaker's: "[Laughter]", "(Applause.)", "—(applause)—".
const STAGE_NOTE = /[[(]\s*(?:applause|laughter|laughs|cheers|cheering|boos|booing|inaudible|missing text)[^\])]{0,40}[\])]/gi;

export function cleanSpeech(raw: string): string {
  return raw
    .replace(/—\s*[[(]\s*(?:applause|laughter)[^\])]{0,40}[\])]\s*—/gi, ' ') // "word—(applause)—word"
    .replace(STAGE_NOTE, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([.,;:!?])/g, '$1')
    .trim();
}
