// Writes synthetic DICOM CT series (Explicit VR Little Endian, UTF-8 names, INS in Other Patient IDs) for the portal
// test: a body phantom whose lesion grows and shrinks along the stack, in Hounsfield units (stored = HU + 1024), so
// scrolling and window presets show visible differences.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";

const explicitLong = new Set(["OB", "OW", "OF", "SQ", "UT", "UN", "UC", "UR"]);

function uid() {
  return "2.25." + BigInt("0x" + randomUUID().replaceAll("-", "")).toString();
}

function pad(bytes, vr) {
  if (bytes.length % 2 === 0) return bytes;
  return Buffer.concat([bytes, Buffer.from([vr === "UI" || vr === "OB" ? 0 : 0x20])]);
}

function element(group, elementNo, vr, value) {
  let body;
  if (Buffer.isBuffer(value)) body = value;
  else if (vr === "US") { body = Buffer.alloc(2); body.writeUInt16LE(value); }
  else if (vr === "UL") { body = Buffer.alloc(4); body.writeUInt32LE(value); }
  else body = Buffer.from(String(value), "utf8");
  body = pad(body, vr);
  const long = explicitLong.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0); header.writeUInt16LE(elementNo, 2); header.write(vr, 4, "latin1");
  if (long) header.writeUInt32LE(body.length, 8); else header.writeUInt16LE(body.length, 6);
  return Buffer.concat([header, body]);
}

function item(elements) {
  const content = Buffer.concat(elements);
  const header = Buffer.alloc(8);
  header.writeUInt16LE(0xfffe, 0); header.writeUInt16LE(0xe000, 2); header.writeUInt32LE(content.length, 4);
  return Buffer.concat([header, content]);
}

function part10(sopClass, sopInstance, dataset) {
  const metaElements = [
    element(0x0002, 0x0001, "OB", Buffer.from([0, 1])),
    element(0x0002, 0x0002, "UI", sopClass),
    element(0x0002, 0x0003, "UI", sopInstance),
    element(0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1"),
    element(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.10.1234.1"),
  ];
  const meta = Buffer.concat(metaElements);
  return Buffer.concat([Buffer.alloc(128), Buffer.from("DICM", "latin1"), element(0x0002, 0x0000, "UL", meta.length), meta, Buffer.concat(dataset)]);
}

/** The phantom without its lesion (HU + 1024, 16-bit little endian): computed once per series. */
function body(side) {
  const pixels = Buffer.alloc(side * side * 2);
  const c = side / 2;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const bx = (x - c) / (side * 0.42), by = (y - c) / (side * 0.30);
      let hu = -1000;                                                 // air
      if (bx * bx + by * by < 1) {
        hu = 40 + ((x * 7 + y * 13) % 9) - 4;                         // soft tissue with a little texture
        for (const lung of [-1, 1]) {
          const lx = (x - c - lung * side * 0.17) / (side * 0.13), ly = (y - c + side * 0.02) / (side * 0.2);
          if (lx * lx + ly * ly < 1) hu = -820;
        }
        const sx = (x - c) / (side * 0.05), sy = (y - c - side * 0.22) / (side * 0.05);
        if (sx * sx + sy * sy < 1) hu = 700;                          // spine
      }
      pixels.writeUInt16LE(hu + 1024, (y * side + x) * 2);
    }
  }
  return pixels;
}

/** Slice `n` of `count`: the body with a lesion in the right lung, absent at both ends and largest mid-stack. */
function phantom(base, side, n, count) {
  const pixels = Buffer.from(base);
  const radius = side * 0.09 * Math.sin(Math.PI * n / Math.max(1, count - 1));
  const cx = Math.round(side / 2 + side * 0.15), cy = Math.round(side / 2 - side * 0.05), r = Math.ceil(radius);
  for (let y = cy - r; y <= cy + r; y++)
    for (let x = cx - r; x <= cx + r; x++)
      if ((x - cx) ** 2 + (y - cy) ** 2 < radius * radius) pixels.writeUInt16LE(60 + 1024, (y * side + x) * 2);
  return pixels;
}

/**
 * Writes one study of `count` CT slices into `folder`; returns its Study Instance UID.
 * patient: { name, localId, ins, birthDate, sex }; study: { description, date, institution }.
 */
export function writeCtStudy(folder, { patient, study, count, side = 512 }) {
  mkdirSync(folder, { recursive: true });
  const studyUid = uid(), seriesUid = uid(), ctClass = "1.2.840.10008.5.1.4.1.1.2", base = body(side);
  for (let n = 1; n <= count; n++) {
    const sop = `${seriesUid}.${n}`;
    const dataset = [
      element(0x0008, 0x0005, "CS", "ISO_IR 192"),
      element(0x0008, 0x0016, "UI", ctClass),
      element(0x0008, 0x0018, "UI", sop),
      element(0x0008, 0x0020, "DA", study.date),
      element(0x0008, 0x0030, "TM", "101500"),
      element(0x0008, 0x0050, "SH", "ACC" + study.date),
      element(0x0008, 0x0060, "CS", "CT"),
      element(0x0008, 0x0070, "LO", "Mirc synthetic"),
      element(0x0008, 0x0080, "LO", study.institution),
      element(0x0008, 0x1030, "LO", study.description),
      element(0x0008, 0x103e, "LO", "Axial 1 mm"),
      element(0x0010, 0x0010, "PN", patient.name),
      element(0x0010, 0x0020, "LO", patient.localId),
      element(0x0010, 0x0030, "DA", patient.birthDate),
      element(0x0010, 0x0040, "CS", patient.sex),
      element(0x0010, 0x1002, "SQ", item([
        element(0x0010, 0x0020, "LO", patient.ins),
        element(0x0010, 0x0021, "LO", "1.2.250.1.213.1.4.10"),        // test INS OID
        element(0x0010, 0x0022, "CS", "TEXT"),
      ])),
      element(0x0018, 0x0050, "DS", "1"),
      element(0x0020, 0x000d, "UI", studyUid),
      element(0x0020, 0x000e, "UI", seriesUid),
      element(0x0020, 0x0011, "IS", "1"),
      element(0x0020, 0x0013, "IS", String(n)),
      element(0x0020, 0x0032, "DS", `-180\\-180\\${n - 1}`),
      element(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0"),
      element(0x0028, 0x0002, "US", 1),
      element(0x0028, 0x0004, "CS", "MONOCHROME2"),
      element(0x0028, 0x0010, "US", side),
      element(0x0028, 0x0011, "US", side),
      element(0x0028, 0x0030, "DS", "0.7\\0.7"),
      element(0x0028, 0x0100, "US", 16),
      element(0x0028, 0x0101, "US", 16),
      element(0x0028, 0x0102, "US", 15),
      element(0x0028, 0x0103, "US", 0),
      element(0x0028, 0x1050, "DS", "40"),
      element(0x0028, 0x1051, "DS", "400"),
      element(0x0028, 0x1052, "DS", "-1024"),
      element(0x0028, 0x1053, "DS", "1"),
      element(0x7fe0, 0x0010, "OW", phantom(base, side, n, count)),
    ];
    writeFileSync(join(folder, `ct-${String(n).padStart(4, "0")}.dcm`), part10(ctClass, sop, dataset));
  }
  return studyUid;
}
