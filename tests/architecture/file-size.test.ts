// Small rooms (issue 19 item 6): a production file over 500 lines says why in its header ("Long file: …").
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionFiles } from './import-graph.js';

const LIMIT = 500;

describe('file size', () => {
  it('no production file over 500 lines without a comment saying why', () => {
    const unexplained = productionFiles()
      .map((file) => ({ name: relative(process.cwd(), file), text: readFileSync(file, 'utf8') }))
      .filter(({ text }) => text.split('\n').length > LIMIT && !/^ \* Long file: \S/m.test(text.split('\n').slice(0, 40).join('\n')))
      .map(({ name, text }) => `${name} (${text.split('\n').length} lines)`);
    expect(unexplained).toEqual([]);
  });
});
