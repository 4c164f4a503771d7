// What every page of the portal shares: its heading (focused, so a screen reader starts there), alert and status
// messages in plain words, and the busy state of a button while its request runs.
import { ApiError } from "./api.js";
import { h } from "./dom.js";

/** An alert region: screen readers announce what it says. */
export function message(text: string, kind: "error" | "info" = "error"): HTMLElement {
  return h("p", { class: "message " + kind, role: kind === "error" ? "alert" : "status" }, text);
}

export function errorText(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

export function heading(text: string): HTMLElement {
  const title = h("h1", { tabindex: -1 }, text);
  queueMicrotask(() => title.focus());
  document.title = text + " — Mirc";
  return title;
}

export function busy(button: HTMLButtonElement, on: boolean): void {
  button.disabled = on;
  button.setAttribute("aria-busy", String(on));
}
