// A tiny element builder: the portal has no framework, and building nodes (never HTML strings) keeps data from the
// archive out of the parser (no injection from a patient name or a study description).
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces the content of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A labelled input: the label names the field for screen readers, the hint says what to type. */
export function field(id: string, label: string, input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, hint?: string): HTMLElement {
  input.id = id;
  if (!input.getAttribute("name")) input.setAttribute("name", id);
  const hintId = hint ? id + "-hint" : null;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("small", { id: hintId }, hint) : null);
}

/** DICOM person name (FAMILY^GIVEN^MIDDLE) as people write it. */
export function personName(value: string | null | undefined): string {
  if (!value) return "";
  const [family = "", given = "", middle = ""] = value.split("=")[0].split("^");
  return [family, given, middle].filter(p => p).join(" ");
}

/** DICOM date (YYYYMMDD) in the reader's language. */
export function dicomDate(value: string | null | undefined, locale: string): string {
  if (!value || !/^\d{8}$/.test(value)) return value ?? "";
  const date = new Date(Date.UTC(+value.slice(0, 4), +value.slice(4, 6) - 1, +value.slice(6, 8)));
  return date.toLocaleDateString(locale, { timeZone: "UTC", year: "numeric", month: "long", day: "numeric" });
}
