using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.DicomCli;

/// <summary>Writes a received C-STORE dataset stream as a Part 10 file (preamble, File Meta, then the streamed dataset).</summary>
internal static class Part10Output
{
    public static async Task WriteAsync(string path, CStoreRequest request, Stream dataSet, CancellationToken ct)
    {
        var meta = new DicomDataset()
            .Set(DicomTag.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 })
            .Set(DicomTag.MediaStorageSOPClassUID, request.SopClassUid)
            .Set(DicomTag.MediaStorageSOPInstanceUID, request.SopInstanceUid)
            .Set(DicomTag.TransferSyntaxUID, request.TransferSyntaxUid)
            .Set(DicomTag.ImplementationClassUID, DicomUids.ImplementationClassUid)
            .Set(DicomTag.ImplementationVersionName, DicomUids.ImplementationVersionName);
        var metaBytes = DicomDatasetWriter.Write(meta, DicomTransferSyntax.ExplicitVRLittleEndian);
        var temp = path + ".part";
        var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await using (file)
        {
            await file.WriteAsync(new byte[128], ct);
            await file.WriteAsync("DICM"u8.ToArray(), ct);
            // (0002,0000) group length comes first; add it unless the dataset writer already did.
            var hasGroupLength = metaBytes.Length >= 4 && metaBytes[0] == 0x02 && metaBytes[1] == 0 && metaBytes[2] == 0 && metaBytes[3] == 0;
            if (!hasGroupLength)
            {
                var groupLength = new byte[12];
                groupLength[0] = 0x02;
                groupLength[4] = (byte)'U';
                groupLength[5] = (byte)'L';
                groupLength[6] = 4;
                BitConverter.TryWriteBytes(groupLength.AsSpan(8), (uint)metaBytes.Length);
                await file.WriteAsync(groupLength, ct);
            }
            await file.WriteAsync(metaBytes, ct);
            await dataSet.CopyToAsync(file, ct);
        }
        File.Move(temp, path, overwrite: true);
    }
}
