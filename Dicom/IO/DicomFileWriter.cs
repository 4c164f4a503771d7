using System.Buffers;

namespace Mirc.Dicom;

/// <summary>
/// Writes DICOM Part 10 files: 128-byte preamble, "DICM", File Meta Information (Explicit VR LE, group length computed,
/// Media Storage SOP Class/Instance UIDs, Transfer Syntax, our Implementation Class UID and Version Name), then the data set.
/// </summary>
public static class DicomFileWriter
{
    /// <summary>Writes <paramref name="file"/> in <see cref="DicomFile.TransferSyntax"/> to a stream.</summary>
    public static async Task WriteAsync(Stream stream, DicomFile file, DicomWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DicomWriteOptions.Default;
        var head = new ArrayBufferWriter<byte>(1024);
        WriteHead(head, file, options);
        await stream.WriteAsync(head.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await DicomDatasetWriter.WriteAsync(WithoutFileMeta(file.Dataset), file.TransferSyntax, stream, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a file to a path (created or overwritten).</summary>
    public static async Task WriteAsync(string path, DicomFile file, DicomWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await WriteAsync(fs, file, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="file"/> to a buffer writer.</summary>
    public static void Write(IBufferWriter<byte> output, DicomFile file, DicomWriteOptions? options = null)
    {
        options ??= DicomWriteOptions.Default;
        WriteHead(output, file, options);
        DicomDatasetWriter.Write(WithoutFileMeta(file.Dataset), file.TransferSyntax, output, options);
    }

    /// <summary>Writes a file into a new array.</summary>
    public static byte[] Write(DicomFile file, DicomWriteOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, file, options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The File Meta Information that will be written: the file's group 0002 elements, completed/overridden with
    /// version 00\01, SOP class/instance from the data set when missing, the transfer syntax and our implementation identity.
    /// </summary>
    public static DicomDataset BuildFileMetaInformation(DicomFile file)
    {
        var meta = new DicomDataset();
        foreach (var e in file.FileMetaInformation)
            if (e.Tag.Group == 0x0002 && !e.Tag.IsGroupLength) meta.Set(e);
        meta.Set(DicomTag.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 });
        if (!meta.Contains(DicomTag.MediaStorageSOPClassUID) && file.Dataset.TryGetString(DicomTag.SOPClassUID, out var cls))
            meta.Set(DicomTag.MediaStorageSOPClassUID, DicomVR.UI, cls);
        if (!meta.Contains(DicomTag.MediaStorageSOPInstanceUID) && file.Dataset.TryGetString(DicomTag.SOPInstanceUID, out var inst))
            meta.Set(DicomTag.MediaStorageSOPInstanceUID, DicomVR.UI, inst);
        meta.Set(DicomTag.TransferSyntaxUID, DicomVR.UI, file.TransferSyntax.Uid);
        meta.Set(DicomTag.ImplementationClassUID, DicomVR.UI, DicomUids.ImplementationClassUid);
        meta.Set(DicomTag.ImplementationVersionName, DicomVR.SH, DicomUids.ImplementationVersionName);
        return meta;
    }

    private static void WriteHead(IBufferWriter<byte> output, DicomFile file, DicomWriteOptions options)
    {
        var preamble = output.GetSpan(132)[..132];
        preamble.Clear();
        if (file.Preamble is { Length: 128 } p) p.Span.CopyTo(preamble);
        "DICM"u8.CopyTo(preamble[128..]);
        output.Advance(132);
        // File Meta is always Explicit VR Little Endian with defined lengths.
        new DicomElementEncoder(output, true, false, options with { DefinedLengthSequences = true }).WriteDataset(BuildFileMetaInformation(file));
    }

    private static DicomDataset WithoutFileMeta(DicomDataset ds)
    {
        if (ds.Count == 0 || ds.Elements[0].Tag.Group > 0x0002) return ds;
        var copy = ds.Clone();
        copy.RemoveAll(e => e.Tag.Group == 0x0002);
        return copy;
    }
}
