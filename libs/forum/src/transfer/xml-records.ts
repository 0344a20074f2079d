import { SaxesParser } from 'saxes';
import { TransferError } from './transfer.format.js';

// An XML export read as it streams (saxes: strict, so a malformed file is
// refused with its line and column): only the records an importer asks for
// (a Disqus <thread> or <post>, a WordPress <item>) are built, one at a time,
// as small trees; the file itself is never held.

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlNode[];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}

// The trimmed text of a child element, or null when absent or empty.
export function field(node: XmlNode | undefined, name: string): string | null {
  const text = child(node, name)?.text.trim();
  return text ? text : null;
}

export interface XmlRecordOptions {
  // The root element the format has ("disqus", "rss"), named in the refusal.
  root: string;
  format: string;
  // Whether an element at this path (names from the root down) is a record.
  isRecord: (path: readonly string[]) => boolean;
}

export async function* xmlRecords(chunks: AsyncIterable<string>, options: XmlRecordOptions): AsyncGenerator<XmlNode> {
  const parser = new SaxesParser({ position: true });
  const path: string[] = [];
  // The record being built, and its open elements.
  const open: XmlNode[] = [];
  let ready: XmlNode[] = [];
  let rootSeen = false;

  parser.on('opentag', (tag) => {
    if (!rootSeen) {
      rootSeen = true;
      if (tag.name !== options.root) {
        throw new TransferError(`Not a ${options.format} export: the root element must be <${options.root}>`);
      }
    }
    path.push(tag.name);
    if (open.length > 0 || options.isRecord(path)) {
      const node: XmlNode = {
        name: tag.name,
        attributes: { ...(tag.attributes as Record<string, string>) },
        text: '',
        children: [],
      };
      open.at(-1)?.children.push(node);
      open.push(node);
    }
  });
  const onText = (text: string) => {
    const node = open.at(-1);
    if (node) node.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    path.pop();
    const node = open.pop();
    if (node && open.length === 0) ready.push(node);
  });

  // The end of the input, to say where a file cut short breaks: at its last
  // character that is not white space.
  let tail = '';
  const cutShort = (): TransferError => {
    const kept = tail.trimEnd();
    const line = parser.line - (tail.slice(kept.length).match(/\n/g)?.length ?? 0);
    const lastBreak = kept.lastIndexOf('\n');
    const column = lastBreak >= 0 ? kept.length - lastBreak - 1 : parser.column;
    const stillOpen = path.map((name) => `<${name}>`).join(', ');
    return new TransferError(
      `Malformed XML at line ${line}, column ${column}: the file ends with ${stillOpen} still open (is it cut short?)`,
    );
  };

  const write = (chunk: string | null) => {
    try {
      if (chunk === null) {
        if (rootSeen && path.length > 0) throw cutShort();
        parser.close();
      } else {
        tail = (tail + chunk).slice(-4096);
        parser.write(chunk);
      }
    } catch (error) {
      if (error instanceof TransferError) throw error;
      const message = (error as Error).message;
      const where = /^(\d+):(\d+): (.*)$/s.exec(message);
      throw new TransferError(
        where ? `Malformed XML at line ${where[1]}, column ${where[2]}: ${where[3]}` : `Malformed XML: ${message}`,
      );
    }
  };

  for await (const chunk of chunks) {
    write(chunk);
    if (ready.length > 0) {
      const done = ready;
      ready = [];
      yield* done;
    }
  }
  write(null);
  if (!rootSeen) throw new TransferError(`Not a ${options.format} export: the file has no XML element`);
  yield* ready;
}
