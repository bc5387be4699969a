import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ConfigError, type ConfigOrigin } from './errors.js';
import { isTree, pathKey, type ConfigPath, type ConfigTree } from './paths.js';

/** One parsed config file: its tree and where each key and value sits in it. */
export interface ConfigFile {
  path: string;
  tree: ConfigTree;
  /** pathKey(path) -> place of that key (or list item) in the file. */
  origins: Map<string, ConfigOrigin>;
}

/** Reads and parses one YAML config file; YAML errors name file:line:column. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'cannot read the config file',
      { origin: { file: path, line: 0, column: 0 }, hint: 'check the path' },
      { cause: error },
    );
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, path: string): ConfigFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const firstError = document.errors[0];
  if (firstError) {
    const position = lineCounter.linePos(firstError.pos[0]);
    throw new ConfigError(
      `invalid YAML: ${firstError.message.split('\n')[0]}`,
      { origin: { file: path, line: position.line, column: position.col } },
      { cause: firstError },
    );
  }
  const tree: unknown = document.toJS() ?? {};
  if (!isTree(tree)) {
    throw new ConfigError('a config file must be a mapping of keys to values at the top level', {
      origin: { file: path, line: 1, column: 1 },
    });
  }
  const origins = new Map<string, ConfigOrigin>();
  const place = (offset: number): ConfigOrigin => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: path, line, column: col };
  };
  const walk = (node: unknown, at: ConfigPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyNode = pair.key as Node | null;
        const child = [...at, key];
        if (keyNode?.range) origins.set(pathKey(child), place(keyNode.range[0]));
        walk(pair.value, child);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const child = [...at, index];
        const itemNode = item as Node | null;
        if (itemNode?.range) origins.set(pathKey(child), place(itemNode.range[0]));
        walk(item, child);
      });
    }
  };
  walk(document.contents, []);
  origins.set(pathKey([]), { file: path, line: 1, column: 1 });
  return { path, tree, origins };
}
