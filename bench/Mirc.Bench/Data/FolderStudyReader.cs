using Mirc.Dicom;

namespace Mirc.Bench.Data;

/// <summary>Loads the DICOM files of a folder into memory, grouped into studies.</summary>
public static class FolderStudyReader
{
    /// <summary>Reads every file under <paramref name="folder"/> (recursively) that is a Part 10 file with a meta group; others are skipped.</summary>
    public static async Task<IReadOnlyList<BenchStudy>> ReadAsync(string folder, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder)) throw new ArgumentException($"--input: no folder {folder}");
        var byStudy = new Dictionary<string, (string PatientId, List<BenchInstance> Instances)>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            DicomFile file;
            int offset;
            try
            {
                file = DicomFileReader.Read(bytes, DicomReadOptions.HeaderOnly);
                offset = Part10Layout.DatasetOffset(bytes);
            }
            catch (Exception e) when (e is DicomFormatException or InvalidDataException or EndOfStreamException)
            {
                skipped++;
                continue;
            }

            var ds = file.Dataset;
            var studyUid = ds.GetStringOrDefault(DicomTag.StudyInstanceUID);
            var seriesUid = ds.GetStringOrDefault(DicomTag.SeriesInstanceUID);
            if (file.HadNoFileMeta || studyUid is null || seriesUid is null || file.SopClassUid is null || file.SopInstanceUid is null)
            {
                skipped++;
                continue;
            }

            var frames = int.TryParse(ds.GetStringOrDefault(DicomTag.NumberOfFrames)?.Trim(), out var n) && n > 0 ? n : 1;
            if (!byStudy.TryGetValue(studyUid, out var study))
            {
                byStudy[studyUid] = study = (ds.GetStringOrDefault(DicomTag.PatientID) ?? "", []);
            }

            study.Instances.Add(new BenchInstance(seriesUid, file.SopClassUid, file.SopInstanceUid, file.TransferSyntax.Uid, frames, bytes, offset));
        }

        if (skipped > 0) Console.Error.WriteLine($"--input: skipped {skipped} files that are not Part 10 DICOM with a meta group");
        return byStudy.Select((s, i) => new BenchStudy($"input{i + 1}", s.Value.PatientId, s.Key, s.Value.Instances)).ToArray();
    }
}
