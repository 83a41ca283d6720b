// The deck's timing marks (npm run bench times a prompt edit between them): each name keeps only its latest
// mark. The performance timeline never drops user marks by itself, so an hour of edits would pile up three per
// edit, each holding its prompt (npm run soak found them growing the page's heap).

/** performance.mark(name) with `detail`, after clearing the older marks of that name. */
export function markLatest(name: string, detail: unknown): void {
  performance.clearMarks(name);
  performance.mark(name, { detail });
}
