import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import layerTable from '../layers.json';

/**
 * Size limits for the source folders (docs/architecture.md): no file over 500 lines and no function
 * over 100. `npm run code-size` prints what breaks them; test/code-size.test.ts fails on it.
 */
/** The source folders: those of the layer table (layers.json, which lint enforces too). */
export const SOURCE_FOLDERS = Object.keys(layerTable.layers);
export const MAX_FILE_LINES = 500;
export const MAX_FUNCTION_LINES = 100;

export interface SizeViolation {
  file: string;
  line: number;
  what: string;
  lines: number;
  limit: number;
}

const ROOT = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (named.name && (ts.isStringLiteral(named.name) || ts.isPrivateIdentifier(named.name)))
    return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

/** Every file and function in `files` over the limits. */
export function sizeViolations(files: string[], root = ROOT): SizeViolation[] {
  const out: SizeViolation[] = [];
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const file = relative(root, path);
    const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
    const fileLines = sf.getLineAndCharacterOfPosition(sf.end).line + (text.endsWith('\n') ? 0 : 1);
    if (fileLines > MAX_FILE_LINES)
      out.push({ file, line: 1, what: 'file', lines: fileLines, limit: MAX_FILE_LINES });
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.end).line;
        const lines = end - start + 1;
        if (lines > MAX_FUNCTION_LINES) {
          out.push({
            file,
            line: start + 1,
            what: `function ${functionName(node)}`,
            lines,
            limit: MAX_FUNCTION_LINES,
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

export function treeSizeViolations(root = ROOT): SizeViolation[] {
  return sizeViolations(
    SOURCE_FOLDERS.flatMap((d) => sourceFiles(join(root, d))),
    root,
  );
}

if (require.main === module) {
  const v = treeSizeViolations();
  for (const x of v)
    process.stdout.write(`${x.file}:${x.line}: ${x.what} is ${x.lines} lines (limit ${x.limit})\n`);
  process.stdout.write(`${v.length} over the limits\n`);
  process.exit(v.length ? 1 : 0);
}
