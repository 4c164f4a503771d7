// Drives a DICOMweb server with the dicomweb-client npm package (the client OHIF and Slim use) and prints what it saw
// as one JSON object on stdout; the .NET interop test makes the assertions.
// Usage: node interop.js <dicomweb base URL> <instance.dcm>...
// Module resolution: NODE_PATH must point at a node_modules folder holding dicomweb-client and xhr2.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
global.XMLHttpRequest = require('xhr2');
const { api } = require('dicomweb-client');

const sha256 = (buffer) => crypto.createHash('sha256').update(Buffer.from(buffer)).digest('hex');
// As OHIF does: frames and bulk data in whatever transfer syntax is stored (compressed frames stay compressed).
const asStored = [{ mediaType: 'application/octet-stream', transferSyntaxUID: '*' }];
const value = (dataset, tag) => (dataset[tag] && dataset[tag].Value ? dataset[tag].Value[0] : undefined);

async function main() {
  const [baseUrl, ...files] = process.argv.slice(2);
  if (!baseUrl || files.length === 0) throw new Error('usage: node interop.js <base URL> <instance.dcm>...');
  const client = new api.DICOMwebClient({ url: baseUrl, singlepart: '' });
  const report = { stored: null, studies: [], series: [], instances: [], retrieved: {}, frames: {}, metadata: [], bulkData: {} };

  const datasets = files.map((file) => {
    const bytes = fs.readFileSync(file);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  });
  const stored = await client.storeInstances({ datasets });
  report.stored = typeof stored === 'string' ? JSON.parse(stored) : stored;

  report.studies = await client.searchForStudies({ queryParams: { includefield: 'all' } });
  for (const study of report.studies) {
    const studyUid = value(study, '0020000D');
    const series = await client.searchForSeries({ studyInstanceUID: studyUid });
    report.series.push(...series);
    for (const serie of series) {
      const seriesUid = value(serie, '0020000E');
      const instances = await client.searchForInstances({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid });
      report.instances.push(...instances);
      for (const instance of instances) {
        const sopUid = value(instance, '00080018');
        const ids = { studyInstanceUID: studyUid, seriesInstanceUID: seriesUid, sopInstanceUID: sopUid };
        const part10 = await client.retrieveInstance(ids);
        report.retrieved[sopUid] = sha256(part10);
        const frames = await client.retrieveInstanceFrames({ ...ids, frameNumbers: [1], mediaTypes: asStored });
        report.frames[sopUid] = frames.map(sha256);
      }
    }
    const metadata = await client.retrieveStudyMetadata({ studyInstanceUID: studyUid });
    report.metadata.push(...metadata);
    for (const instance of metadata) {
      const pixelData = instance['7FE00010'];
      if (pixelData && pixelData.BulkDataURI) {
        const parts = await client.retrieveBulkData({ BulkDataURI: pixelData.BulkDataURI, mediaTypes: asStored });
        report.bulkData[value(instance, '00080018')] = parts.map(sha256);
      }
    }
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(`interop failed: ${error && error.stack ? error.stack : error}\n`);
  if (error && error.request) process.stderr.write(`status ${error.request.status} ${error.request.responseURL || ''}\n`);
  process.exit(1);
});
