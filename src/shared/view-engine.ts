import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { escapeHtml } from './html.js';

// The app's EJS engine. EJS by default runs every template inside `with (locals) { ... }`, and under
// `with` V8 resolves each name the template uses (every local, and EJS's own `__append`) at run time:
// the pipeline board, 40 cards, took about 1 ms to render that way and 0.3 ms without it. So this
// engine compiles a template once per set of local names it is rendered with and declares exactly
// those names as variables. A name that is not a local still falls through to the globals (`Math`,
// `JSON`), as under `with`; a template's own `const` shadows a local of the same name, as under
// `with`, because the template's code runs in a block of its own.

type Locals = Record<string, unknown>;
type Include = (name: string, extra?: Locals) => string;
/** EJS's compiled function in `client` mode: it fills in its own rethrow (template line numbers). */
type Compiled = (locals: Locals, escape: (text: unknown) => string, include: Include, rethrow: undefined) => string;
export type ViewEngine = (file: string, locals: object, callback: (err: unknown, html?: string) => void) => void;

// A key that is not a valid variable name (or is a reserved word) stays reachable as `locals[key]`.
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(
  ('arguments await break case catch class const continue debugger default delete do else enum eval export extends ' +
    'false finally for function if implements import in instanceof interface let new null package private protected ' +
    'public return static super switch this throw true try typeof var void while with yield').split(' '),
);
// And the names EJS's compiled function uses itself.
const EJS_OWN = new Set(['locals', '__locals', '__output', '__append', '__line', '__lines', '__filename', 'escapeFn', 'include', 'rethrow']);
const declarable = (name: string) => IDENTIFIER.test(name) && !RESERVED.has(name) && !EJS_OWN.has(name);

// The shapes, and so the compiled variants, are bounded by the app's render calls; the cap only
// guards against a caller that one day spreads request data into the locals.
const MAX_SHAPES = 2000;

/**
 * The names of a set of locals, with the templates compiled for exactly those names. A page and the
 * includes it hands its own locals share one shape; an include given data of its own gets the
 * parent's shape extended by those names.
 */
type Shape = { names: string[]; templates: Map<string, Compiled>; extended: Map<string, Shape> };
const shapeOf = (names: string[]): Shape => ({ names, templates: new Map(), extended: new Map() });

export function createViewEngine(viewRoots: string[]): ViewEngine {
  const shapes = new Map<string, Shape>();
  const includePaths = new Map<string, string>();

  function compile(file: string, names: string[]): Compiled {
    // `<% { %>`...`<% } %>` on the template's own first and last line: the block keeps line numbers.
    const text = `<% { %>${fs.readFileSync(file, 'utf8')}<% } %>`;
    return ejs.compile(text, {
      filename: file,
      client: true,
      _with: false,
      localsName: 'locals',
      // The templates' indentation is for their readers: without it the pipeline board is 17% smaller
      // (whitespace between words and tags stays, as a line break, so the page renders the same).
      rmWhitespace: true,
      destructuredLocals: [...new Set(names)].filter(declarable),
    }) as unknown as Compiled;
  }

  /** As EJS resolves `include(name)`: beside the including file first, then under the view roots. */
  function resolveInclude(name: string, from: string): string {
    const key = `${from}\n${name}`;
    let file = includePaths.get(key);
    if (!file) {
      const withExt = path.extname(name) ? name : `${name}.ejs`;
      const candidates = [path.resolve(path.dirname(from), withExt), ...viewRoots.map((root) => path.resolve(root, withExt))];
      file = candidates.find((candidate) => fs.existsSync(candidate));
      if (!file) throw new Error(`Could not find the include file "${name}" from ${from}`);
      includePaths.set(key, file);
    }
    return file;
  }

  function topShape(locals: Locals): Shape {
    const names = Object.keys(locals);
    const key = names.join(',');
    let shape = shapes.get(key);
    if (!shape) {
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      shape = shapeOf(names);
      shapes.set(key, shape);
    }
    return shape;
  }

  function extendedShape(shape: Shape, extra: Locals): Shape {
    const extraNames = Object.keys(extra);
    const extraKey = extraNames.join(',');
    let extended = shape.extended.get(extraKey);
    if (!extended) {
      extended = shapeOf([...shape.names, ...extraNames]);
      shape.extended.set(extraKey, extended);
    }
    return extended;
  }

  function render(file: string, locals: Locals, shape: Shape): string {
    let template = shape.templates.get(file);
    if (!template) {
      template = compile(file, shape.names);
      shape.templates.set(file, template);
    }
    // A template cannot change its locals (its names are its own variables), so an include without
    // data of its own is given the same object instead of a copy.
    const include: Include = (name, extra) => {
      const included = resolveInclude(name, file);
      return extra ? render(included, { ...locals, ...extra }, extendedShape(shape, extra)) : render(included, locals, shape);
    };
    return template(locals, escapeHtml, include, undefined);
  }

  return (file, locals, callback) => {
    let html: string;
    try {
      html = render(file, locals as Locals, topShape(locals as Locals));
    } catch (err) {
      return callback(err);
    }
    callback(null, html);
  };
}
