// Source masking for the architecture scanner: comments, string and template text and regex bodies
// blanked (offsets and newlines kept), so code patterns never match inside them.

export interface Masked {
  /** The source with comments, string/template text and regex bodies blanked (newlines kept). */
  code: string;
  /** String literals by the offset of their opening quote. */
  strings: Map<number, string>;
}

const REGEX_AFTER = new Set("(,=:[!&|?{};+-*%<>~^".split(""));
const REGEX_KEYWORDS = /\b(?:return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/;

/** Blanks comments, string and template text and regex literals, so patterns only see code. */
export function maskSource(source: string): Masked {
  const out = source.split("");
  const strings = new Map<number, string>();
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  /** Brace depth inside each open template `${…}`, innermost last. */
  const templates: number[] = [];
  let i = 0;
  const n = source.length;
  const scanTemplateText = () => {
    // At a template's text (after ` or }): blank until `${` (re-enter code) or the closing `.
    const start = i;
    while (i < n) {
      const ch = source[i];
      if (ch === "\\") i += 2;
      else if (ch === "`") {
        blank(start, i);
        i++;
        return;
      } else if (ch === "$" && source[i + 1] === "{") {
        blank(start, i);
        i += 2;
        templates.push(0);
        return;
      } else i++;
    }
    blank(start, n);
  };
  while (i < n) {
    const ch = source[i] as string;
    const next = source[i + 1];
    if (ch === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (ch === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < n && source[j] !== ch && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      strings.set(i, source.slice(i + 1, j));
      blank(i + 1, j);
      i = j + 1;
    } else if (ch === "`") {
      i++;
      scanTemplateText();
    } else if (ch === "{" && templates.length > 0) {
      templates[templates.length - 1]! += 1;
      i++;
    } else if (ch === "}" && templates.length > 0) {
      if (templates[templates.length - 1] === 0) {
        templates.pop();
        i++;
        scanTemplateText();
      } else {
        templates[templates.length - 1]! -= 1;
        i++;
      }
    } else if (ch === "/" && startsRegex(out, i)) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== "\n") {
        const c = source[j];
        if (c === "\\") j++;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        j++;
      }
      blank(i + 1, j);
      i = j + 1;
    } else i++;
  }
  return { code: out.join(""), strings };
}

/** A `/` starts a regex when it cannot be a division: after an operator, a bracket or a keyword. */
function startsRegex(code: string[], at: number): boolean {
  let k = at - 1;
  while (k >= 0 && /\s/.test(code[k] as string)) k--;
  if (k < 0) return true;
  const prev = code[k] as string;
  if (REGEX_AFTER.has(prev)) return true;
  if (/[\w$]/.test(prev)) {
    const word = code.slice(Math.max(0, k - 11), k + 1).join("");
    return REGEX_KEYWORDS.test(word);
  }
  return false;
}
