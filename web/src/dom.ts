// The one way this UI builds DOM: createElement + textContent. Evidence values (artifact values,
// file names, case titles, ...) are hostile; a string child always becomes a Text node, and an
// attribute is set with setAttribute, never parsed as markup. Event handler attributes and inline
// styles are refused (the CSP forbids them anyway); handlers go through `on`.

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Attrs {
  class?: string | (string | false | null | undefined)[];
  on?: { [event: string]: (e: any) => void };
  [attr: string]: unknown;
}

function setAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') {
      for (const [ev, fn] of Object.entries(value as Record<string, (e: Event) => void>)) {
        el.addEventListener(ev, fn);
      }
    } else if (key === 'class') {
      const cls = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
      if (cls) el.setAttribute('class', cls);
    } else if (key === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (key === 'checked' || key === 'disabled' || key === 'selected') {
      (el as any)[key] = !!value;
    } else {
      if (/^on/i.test(key) || key === 'style') throw new Error(`refused attribute ${key}`);
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (typeof c === 'string' || typeof c === 'number') parent.appendChild(document.createTextNode(String(c)));
    else parent.appendChild(c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs ?? undefined);
  append(el, children);
  return el;
}

const kSvgNs = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(kSvgNs, tag);
  setAttrs(el, attrs ?? undefined);
  append(el, children);
  return el;
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Node, ...children: Child[]): void {
  clear(el);
  append(el, children);
}

// A link inside the app: an <a href="#/..."> (the href is built by our code from numeric ids).
export function link(hash: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href: hash }, ...children);
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let timer: number | undefined;
  return (...a: A) => {
    if (timer !== undefined) window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...a), ms);
  };
}
