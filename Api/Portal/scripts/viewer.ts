// The viewer draws the archive's rendered frames (WADO-RS …/frames/{n}/rendered, JPEG): the server applies the
// Modality LUT and the window, the browser only shows images. A whole series is preloaded outward from the current
// image, six requests at a time (the browser's per-host limit). Dragging the window is previewed at once with an SVG
// linear transfer on the shown image, then the exact frames are fetched again with the new window.
import { dicomJson, image } from "./api.js";
import { h, replace, personName, dicomDate } from "./dom.js";
import { MessageKey, language, t } from "./i18n.js";

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;
interface Frame { instanceUid: string; frame: number; url?: string; loading?: Promise<void> }
interface Window { center: number; width: number }
interface Stats { firstImageMs?: number; stackMs?: number; frames: number; loaded: number; series?: string }

const presets: { key: MessageKey; window: Window | null }[] = [
  { key: "presetDefault", window: null },
  { key: "presetSoftTissue", window: { center: 40, width: 400 } },
  { key: "presetLung", window: { center: -600, width: 1500 } },
  { key: "presetBone", window: { center: 300, width: 1500 } },
  { key: "presetBrain", window: { center: 40, width: 80 } },
];
const parallelLoads = 6;

let current: Viewer | null = null;

export function openViewer(host: HTMLElement, studyUid: string): void {
  closeViewer();
  current = new Viewer(host, studyUid);
  void current.start();
}

export function closeViewer(): void {
  current?.dispose();
  current = null;
}

function text(item: DicomJson | undefined, tag: string): string {
  const value = item?.[tag]?.Value?.[0];
  if (value === undefined || value === null) return "";
  if (typeof value === "object" && "Alphabetic" in (value as object)) return personName((value as { Alphabetic: string }).Alphabetic);
  return String(value);
}

function number(item: DicomJson | undefined, tag: string): number | undefined {
  const value = Number(item?.[tag]?.Value?.[0]);
  return Number.isFinite(value) ? value : undefined;
}

class Viewer {
  private readonly started = performance.now();
  private readonly abort = new AbortController();
  private loads = new AbortController();
  private readonly urls = new Set<string>();
  private frames: Frame[] = [];
  private index = 0;
  private base = "";
  private window: Window | null = null;        // null: the images' own window
  private imageWindow: Window = { center: 40, width: 400 };
  private shownWindow: Window | null = null;    // the window of the frames being shown
  private generation = 0;
  private zoom = 1; private panX = 0; private panY = 0;
  private readonly stats: Stats = { frames: 0, loaded: 0 };

  private readonly img = h("img", { class: "frame", alt: "" });
  private readonly viewport = h("div", { class: "viewport", tabindex: 0, role: "img", "aria-roledescription": "image stack" }, this.img);
  private readonly slider = h("input", { type: "range", min: 1, max: 1, value: 1, id: "viewer-slice" });
  private readonly position = h("output", { for: "viewer-slice" });
  private readonly status = h("p", { role: "status", class: "viewer-status" }, t("loading"));
  private readonly windowLabel = h("output", { class: "window-value" });
  private readonly preset = h("select", { id: "viewer-preset" }, ...presets.map((p, i) => h("option", { value: i }, t(p.key))));
  private readonly seriesList = h("ul", { class: "series", "aria-label": t("series") });
  private readonly attributes = h("dl", { class: "attributes" });
  private tool = "window";
  private readonly filter = this.svgFilter();

  constructor(private readonly host: HTMLElement, private readonly studyUid: string) {
    (window as unknown as { mircViewer: Stats }).mircViewer = this.stats;
  }

  async start(): Promise<void> {
    this.layout();
    try {
      const series = (await dicomJson<DicomJson[]>(`/dicomweb/studies/${this.studyUid}/series?includefield=0008103E&includefield=00200011&includefield=00201209`))
        .sort((a, b) => (number(a, "00200011") ?? 0) - (number(b, "00200011") ?? 0));
      if (series.length === 0) { replace(this.status, t("noImages")); return; }
      this.seriesList.replaceChildren(...series.map(s => this.seriesItem(s)));
      await this.showSeries(text(series[0], "0020000E"));
      void this.thumbnails(series);
    } catch (error) {
      if (!this.abort.signal.aborted) { this.status.textContent = (error as Error).message; this.status.setAttribute("role", "alert"); }
    }
  }

  dispose(): void {
    this.abort.abort();
    this.loads.abort();
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls.clear();
    this.filter.remove();
  }

  private layout(): void {
    const tools = h("fieldset", { class: "tools" }, h("legend", {}, t("tool")),
      ...(["window", "pan", "zoom"] as const).map(tool => h("label", {},
        h("input", { type: "radio", name: "viewer-tool", value: tool, checked: tool === this.tool, onchange: () => { this.tool = tool; } }),
        " ", t(tool === "window" ? "toolWindow" : tool === "pan" ? "toolPan" : "toolZoom"))));
    this.preset.addEventListener("change", () => this.setWindow(presets[+this.preset.value].window));
    this.slider.addEventListener("input", () => this.show(+this.slider.value - 1));
    this.viewport.addEventListener("wheel", event => {
      event.preventDefault();
      if (event.ctrlKey) this.setZoom(this.zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1));
      else this.show(this.index + Math.sign(event.deltaY));
    }, { passive: false });
    this.viewport.addEventListener("keydown", event => this.key(event));
    this.viewport.addEventListener("pointerdown", event => this.drag(event));
    this.viewport.addEventListener("contextmenu", event => event.preventDefault());
    this.img.style.filter = "url(#mirc-window)";
    replace(this.host,
      h("div", { class: "viewer" },
        h("aside", { class: "series-panel" }, h("h2", {}, t("series")), this.seriesList),
        h("div", { class: "stage" },
          this.viewport,
          h("div", { class: "controls" },
            h("label", { for: "viewer-slice" }, t("image")), this.slider, this.position,
            h("label", { for: "viewer-preset" }, t("windowPreset")), this.preset, this.windowLabel,
            tools,
            h("button", { type: "button", class: "secondary", onclick: () => this.resetView() }, t("reset"))),
          h("p", { class: "hint" }, t("viewerKeys")),
          this.status),
        h("aside", { class: "attributes-panel" }, h("h2", {}, t("attributes")), this.attributes)));
  }

  private seriesItem(series: DicomJson): HTMLElement {
    const uid = text(series, "0020000E");
    const label = t("seriesLabel", text(series, "00200011"), text(series, "0008103E") || text(series, "00080060"), text(series, "00201209"));
    const button = h("button", { type: "button", class: "series-button", "data-series": uid, "aria-pressed": "false", "aria-label": label },
      h("img", { alt: "", class: "thumbnail", width: 96, height: 96 }), h("span", {}, label));
    button.addEventListener("click", () => void this.showSeries(uid));
    return h("li", {}, button);
  }

  private async thumbnails(series: DicomJson[]): Promise<void> {
    // After the first series' frames have a head start: thumbnails are the least urgent images.
    for (const s of series) {
      const uid = text(s, "0020000E");
      try {
        const url = this.track(URL.createObjectURL(await image(`/dicomweb/studies/${this.studyUid}/series/${uid}/thumbnail`, this.abort.signal)));
        const img = this.seriesList.querySelector(`[data-series="${CSS.escape(uid)}"] img`) as HTMLImageElement | null;
        if (img) img.src = url;
      } catch { /* a series without a renderable image keeps its label only */ }
    }
  }

  private async showSeries(seriesUid: string): Promise<void> {
    this.loads.abort();
    this.loads = new AbortController();
    this.generation++;
    this.stats.series = seriesUid;
    for (const b of this.seriesList.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.getAttribute("data-series") === seriesUid));
    this.base = `/dicomweb/studies/${this.studyUid}/series/${seriesUid}`;
    const instances = (await dicomJson<DicomJson[]>(`${this.base}/instances?includefield=00280008&includefield=00200013`))
      .sort((a, b) => (number(a, "00200013") ?? 0) - (number(b, "00200013") ?? 0));
    this.frames = instances.flatMap(i => Array.from({ length: Math.max(1, number(i, "00280008") ?? 1) }, (_, f) => ({ instanceUid: text(i, "00080018"), frame: f + 1 })));
    Object.assign(this.stats, { frames: this.frames.length, loaded: 0, firstImageMs: this.stats.firstImageMs, stackMs: undefined });
    this.slider.max = String(Math.max(1, this.frames.length));
    this.index = 0;
    this.resetView();
    // The first image alone first: on a busy server the five other requests of the preload would slow it down.
    this.show(0);
    await this.load(0).catch(() => undefined);
    this.preload();
    void this.metadata(instances[0]);
  }

  private async metadata(instance: DicomJson | undefined): Promise<void> {
    if (!instance) return;
    const [m] = await dicomJson<DicomJson[]>(`${this.base}/instances/${text(instance, "00080018")}/metadata`);
    const center = number(m, "00281050"), width = number(m, "00281051");
    if (center !== undefined && width !== undefined && width > 0) this.imageWindow = { center, width };
    else {
      const slope = number(m, "00281053") ?? 1, intercept = number(m, "00281052") ?? 0, bits = number(m, "00280101") ?? 12;
      this.imageWindow = { center: intercept + slope * 2 ** (bits - 1), width: slope * 2 ** bits };
    }
    if (!this.shownWindow) this.shownWindow = this.imageWindow;
    this.showWindowValue(this.window ?? this.imageWindow);
    const rows: [string, string][] = [
      [t("name"), text(m, "00100010")], ["ID", text(m, "00100020")], [t("date"), dicomDate(text(m, "00080020"), language)],
      [t("modality"), text(m, "00080060")], [t("description"), text(m, "0008103E") || text(m, "00081030")],
      ["Institution", text(m, "00080080")], ["Manufacturer", text(m, "00080070")],
      ["Rows × Columns", `${text(m, "00280010")} × ${text(m, "00280011")}`], ["Pixel spacing", (m?.["00280030"]?.Value ?? []).join(" \\ ")],
      ["Slice thickness", text(m, "00180050")], ["Window", center !== undefined ? `${center} / ${width}` : ""],
    ];
    this.attributes.replaceChildren(...rows.filter(([, v]) => v).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  }

  private frameUrl(frame: Frame): string {
    const box = this.viewport.getBoundingClientRect();
    const side = Math.min(2048, Math.max(256, Math.round(Math.max(box.width, box.height) * devicePixelRatio / 64) * 64));
    const window = this.window ? `&window=${this.window.center},${this.window.width},linear` : "";
    return `${this.base}/instances/${frame.instanceUid}/frames/${frame.frame}/rendered?viewport=${side},${side}&quality=90${window}`;
  }

  private load(i: number): Promise<void> {
    const frame = this.frames[i];
    if (frame.url) return Promise.resolve();
    if (frame.loading) return frame.loading;
    const generation = this.generation;
    frame.loading = image(this.frameUrl(frame), this.loads.signal).then(blob => {
      if (generation !== this.generation) return;
      frame.url = this.track(URL.createObjectURL(blob));
      this.stats.loaded++;
      if (i === this.index) this.paint(frame);
      this.progress();
    }).finally(() => { if (generation === this.generation) frame.loading = undefined; });
    return frame.loading;
  }

  /** Loads every frame, nearest to the current one first, a few at a time. */
  private preload(): void {
    const generation = this.generation;
    const next = () => {
      if (generation !== this.generation || this.abort.signal.aborted) return undefined;
      let best = -1;
      for (let d = 0; d < this.frames.length && best < 0; d++) {
        for (const i of [this.index + d, this.index - d]) {
          if (i >= 0 && i < this.frames.length && !this.frames[i].url && !this.frames[i].loading) { best = i; break; }
        }
      }
      return best < 0 ? undefined : best;
    };
    const worker = async (): Promise<void> => {
      for (let i = next(); i !== undefined; i = next()) {
        try { await this.load(i); } catch (error) {
          if (generation !== this.generation || this.abort.signal.aborted) return;
          this.status.textContent = (error as Error).message; this.status.setAttribute("role", "alert");
          return;
        }
      }
    };
    for (let w = 0; w < parallelLoads; w++) void worker();
  }

  private progress(): void {
    const { loaded, frames } = this.stats;
    if (loaded === frames && this.stats.stackMs === undefined) {
      this.stats.stackMs = Math.round(performance.now() - this.started);
      this.status.textContent = t("stackLoaded", frames, (this.stats.stackMs / 1000).toFixed(1), this.stats.firstImageMs ?? 0);
      this.host.dataset.stackLoaded = "true";
    } else if (this.stats.stackMs === undefined) {
      this.status.textContent = t("loadedIn", loaded, frames);
    }
  }

  private show(i: number): void {
    if (this.frames.length === 0) return;
    this.index = Math.max(0, Math.min(this.frames.length - 1, i));
    this.slider.value = String(this.index + 1);
    const label = t("imageOf", this.index + 1, this.frames.length);
    this.position.textContent = label;
    this.viewport.setAttribute("aria-label", label);
    const frame = this.frames[this.index];
    if (frame.url) this.paint(frame);
    else void this.load(this.index).catch(() => undefined);
  }

  private paint(frame: Frame): void {
    if (this.img.src !== frame.url) this.img.src = frame.url!;
    this.img.alt = t("imageOf", this.index + 1, this.frames.length);
    this.host.dataset.current = String(this.index + 1);
    this.shownWindow = this.window ?? this.imageWindow;
    this.previewWindow(this.shownWindow);
    if (this.stats.firstImageMs === undefined) {
      this.img.decode().then(() => {
        this.stats.firstImageMs ??= Math.round(performance.now() - this.started);
        this.host.dataset.firstImage = "true";
      }, () => undefined);
    }
  }

  private setWindow(window: Window | null): void {
    this.window = window;
    this.showWindowValue(window ?? this.imageWindow);
    // Frames of the old window are useless now: drop them and load again from the current image.
    this.loads.abort();
    this.loads = new AbortController();
    this.generation++;
    for (const frame of this.frames) {
      if (frame.url) { URL.revokeObjectURL(frame.url); this.urls.delete(frame.url); }
      frame.url = undefined; frame.loading = undefined;
    }
    Object.assign(this.stats, { loaded: 0, stackMs: undefined });
    delete this.host.dataset.stackLoaded;
    this.show(this.index);
    this.preload();
  }

  private showWindowValue(window: Window): void {
    this.windowLabel.textContent = t("windowValue", Math.round(window.width), Math.round(window.center));
    this.host.dataset.window = `${Math.round(window.center)},${Math.round(window.width)}`;
  }

  /** Shows the current image as if rendered with `target` (exact linear remap of the shown window; clipped ends stay clipped). */
  private previewWindow(target: Window): void {
    const shown = this.shownWindow ?? target;
    const slope = shown.width / target.width;
    const intercept = (shown.center - shown.width / 2 - (target.center - target.width / 2)) / target.width;
    for (const f of this.filter.querySelectorAll("feFuncR, feFuncG, feFuncB")) {
      f.setAttribute("slope", String(slope));
      f.setAttribute("intercept", String(intercept));
    }
  }

  private svgFilter(): SVGSVGElement {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "0"); svg.setAttribute("height", "0"); svg.setAttribute("aria-hidden", "true");
    svg.style.position = "absolute";
    const filter = document.createElementNS(ns, "filter");
    filter.id = "mirc-window";
    filter.setAttribute("color-interpolation-filters", "sRGB");
    const transfer = document.createElementNS(ns, "feComponentTransfer");
    for (const c of ["feFuncR", "feFuncG", "feFuncB"]) {
      const f = document.createElementNS(ns, c);
      f.setAttribute("type", "linear"); f.setAttribute("slope", "1"); f.setAttribute("intercept", "0");
      transfer.appendChild(f);
    }
    filter.appendChild(transfer); svg.appendChild(filter);
    document.body.appendChild(svg);
    return svg;
  }

  private drag(event: PointerEvent): void {
    const tool = event.button === 2 ? "zoom" : event.button === 1 ? "pan" : this.tool;
    const startX = event.clientX, startY = event.clientY;
    const start = { zoom: this.zoom, x: this.panX, y: this.panY, window: this.window ?? this.imageWindow };
    let target = start.window;
    this.viewport.setPointerCapture(event.pointerId);
    event.preventDefault();
    this.viewport.focus();
    const move = (e: PointerEvent) => {
      const dx = e.clientX - startX, dy = e.clientY - startY;
      if (tool === "pan") { this.panX = start.x + dx; this.panY = start.y + dy; this.transform(); }
      else if (tool === "zoom") this.setZoom(start.zoom * Math.exp(-dy / 200));
      else {
        // Right: wider window; down: higher level (the usual radiology convention), scaled to the window in use.
        const scale = Math.max(1, start.window.width) / 256;
        target = { width: Math.max(1, start.window.width + dx * scale), center: start.window.center + dy * scale };
        this.previewWindow(target);
        this.showWindowValue(target);
      }
    };
    const up = () => {
      this.viewport.removeEventListener("pointermove", move);
      this.viewport.removeEventListener("pointerup", up);
      this.viewport.removeEventListener("pointercancel", up);
      if (tool === "window" && target !== start.window) { this.preset.value = "0"; this.setWindow(target); }
    };
    this.viewport.addEventListener("pointermove", move);
    this.viewport.addEventListener("pointerup", up);
    this.viewport.addEventListener("pointercancel", up);
  }

  private key(event: KeyboardEvent): void {
    const steps: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
    if (event.key in steps) this.show(this.index + steps[event.key]);
    else if (event.key === "Home") this.show(0);
    else if (event.key === "End") this.show(this.frames.length - 1);
    else if (event.key === "+" || event.key === "=") this.setZoom(this.zoom * 1.25);
    else if (event.key === "-") this.setZoom(this.zoom / 1.25);
    else if (event.key === "r" || event.key === "R") this.resetView();
    else return;
    event.preventDefault();
  }

  private setZoom(zoom: number): void { this.zoom = Math.max(0.25, Math.min(16, zoom)); this.transform(); }

  private resetView(): void { this.zoom = 1; this.panX = 0; this.panY = 0; this.transform(); }

  private transform(): void {
    this.img.style.transform = `translate(${this.panX}px, ${this.panY}px) scale(${this.zoom})`;
    this.host.dataset.zoom = this.zoom.toFixed(2);
  }

  private track(url: string): string { this.urls.add(url); return url; }
}
