import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

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

// The number of compiled variants is bounded by the app's render calls; the cap only guards against
// a caller that one day spreads request data into the locals.
const MAX_VARIANTS = 5000;

export function createViewEngine(viewRoots: string[]): ViewEngine {
  const compiled = new Map<string, Compiled>();
  const includePaths = new Map<string, string>();

  function compile(file: string, names: string[]): Compiled {
    // `<% { %>`...`<% } %>` on the template's own first and last line: the block keeps line numbers.
    const text = `<% { %>${fs.readFileSync(file, 'utf8')}<% } %>`;
    return ejs.compile(text, {
      filename: file,
      client: true,
      _with: false,
      localsName: 'locals',
      destructuredLocals: names.filter(declarable),
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

  function render(file: string, locals: Locals): string {
    const names = Object.keys(locals);
    const key = `${file}\n${names.join(',')}`;
    let template = compiled.get(key);
    if (!template) {
      if (compiled.size >= MAX_VARIANTS) compiled.clear();
      template = compile(file, names);
      compiled.set(key, template);
    }
    // A template cannot change its locals (its names are its own variables), so an include without
    // data of its own is given the same object instead of a copy.
    const include: Include = (name, extra) => render(resolveInclude(name, file), extra ? { ...locals, ...extra } : locals);
    return template(locals, ejs.escapeXML, include, undefined);
  }

  return (file, locals, callback) => {
    let html: string;
    try {
      html = render(file, locals as Locals);
    } catch (err) {
      return callback(err);
    }
    callback(null, html);
  };
}
