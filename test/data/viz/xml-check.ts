// A strict little XML well-formedness check for the hand-written SVGs (no XML parser is a dependency): one root
// element, every tag closed in order, attributes quoted and unique, `&` only as a known entity, no raw `<` in
// text or attributes. Returns the elements in document order with their attributes and parent chain, so tests
// can count and inspect what was drawn.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** The enclosing elements, outermost first. */
  ancestors: XmlElement[];
  /** The text directly inside (entities decoded). */
  text: string;
}

const entity = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
const name = /[A-Za-z_][\w.:-]*/y;

function decode(text: string, where: number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '<') throw new Error(`raw < at ${where + i}`);
    if (c !== '&') {
      out += c;
      continue;
    }
    entity.lastIndex = i;
    const match = entity.exec(text);
    if (match === null) throw new Error(`bare & at ${where + i}`);
    const value = match[1]!;
    out +=
      value === 'amp'
        ? '&'
        : value === 'lt'
          ? '<'
          : value === 'gt'
            ? '>'
            : value === 'quot'
              ? '"'
              : value === 'apos'
                ? "'"
                : String.fromCodePoint(
                    value.startsWith('#x') ? parseInt(value.slice(2), 16) : parseInt(value.slice(1), 10),
                  );
    i += match[0].length - 1;
  }
  return out;
}

/** Parses `source` or throws an Error saying where it is malformed. */
export function checkXml(source: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  let roots = 0;
  let i = 0;
  const readName = () => {
    name.lastIndex = i;
    const match = name.exec(source);
    if (match === null) throw new Error(`expected a name at ${i}`);
    i += match[0].length;
    return match[0];
  };
  const skipSpace = () => {
    while (/\s/.test(source[i] ?? '')) i++;
  };
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (open.length === 0 && text.trim() !== '') throw new Error(`text outside the root at ${i}`);
    if (open.length > 0) open.at(-1)!.text += decode(text, i);
    if (lt < 0) break;
    i = lt;
    if (source.startsWith('<?', i)) {
      if (i !== 0) throw new Error('an XML declaration must come first');
      i = source.indexOf('?>', i) + 2;
      if (i < 2) throw new Error('unterminated <?');
      continue;
    }
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    if (source.startsWith('</', i)) {
      i += 2;
      const closing = readName();
      skipSpace();
      if (source[i] !== '>') throw new Error(`expected > at ${i}`);
      i++;
      const top = open.pop();
      if (top?.name !== closing) throw new Error(`</${closing}> closes <${top?.name ?? 'nothing'}> at ${i}`);
      continue;
    }
    i++;
    const element: XmlElement = {
      name: readName(),
      attributes: {},
      ancestors: [...open],
      text: '',
    };
    if (open.length === 0 && ++roots > 1) throw new Error(`a second root element at ${lt}`);
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        elements.push(element);
        break;
      }
      if (source[i] === '>') {
        i++;
        elements.push(element);
        open.push(element);
        break;
      }
      if (i === before) throw new Error(`expected space before an attribute at ${i}`);
      const attribute = readName();
      if (attribute in element.attributes) throw new Error(`duplicate attribute ${attribute} at ${i}`);
      if (source[i] !== '=' || source[i + 1] !== '"')
        throw new Error(`attribute ${attribute} not ="..." at ${i}`);
      const end = source.indexOf('"', i + 2);
      if (end < 0) throw new Error('unterminated attribute');
      element.attributes[attribute] = decode(source.slice(i + 2, end), i + 2);
      i = end + 1;
    }
  }
  if (open.length > 0) throw new Error(`<${open.at(-1)!.name}> is never closed`);
  if (roots !== 1) throw new Error('no root element');
  return elements;
}
