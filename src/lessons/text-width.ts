import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

// Lesson text is where orch-lab shows words whose letters are two columns wide (Hangul, and other
// East Asian wide characters), so it is laid out by display width, never by string length: a
// 20-letter Korean line fills 40 columns. Measuring and wrapping are ink's own (string-width,
// wrap-ansi, the versions ink 6 uses), so what is measured here is what ink draws.

/** `text` followed by spaces up to `width` columns, as padEnd does for text one column a letter. */
export function padEndToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/**
 * Lines of at most `width` columns, broken at spaces (inside a word longer than a line, as ink
 * does); each line after the first keeps the first one's indent, so a wrapped list item or
 * command stays under its own text.
 */
export function wrapToWidth(text: string, width: number): string[] {
  const indent = /^\s*/.exec(text)![0];
  const body = text.slice(indent.length).trimEnd();
  if (!body) return [text];
  const room = Math.max(1, width - stringWidth(indent));
  return wrapAnsi(body, room, { hard: true, trim: true })
    .split('\n')
    .map((line) => indent + line);
}
