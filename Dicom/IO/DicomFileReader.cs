using System.Buffers.Binary;
using System.IO.Compression;

namespace Mirc.Dicom;

/// <summary>
/// Reads DICOM Part 10 files (or bare data sets without preamble/File Meta) from a <see cref="Stream"/>, seekable or not.
/// With <see cref="DicomReadOptions.StopAtPixelData"/> only the header is read and the pixel data position recorded.
/// </summary>
public static class DicomFileReader
{
    private static ReadOnlySpan<byte> Dicm => "DICM"u8;

    /// <summary>Reads a file from a stream positioned at its first byte (offsets are relative to that position).</summary>
    public static async Task<DicomFile> ReadAsync(Stream stream, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= DicomReadOptions.Default;
        bool headerOnly = options.StopAtPixelData || options.SkipPixelData;
        int initial = options.ReadBufferSize;
        if (stream.CanSeek && !headerOnly)
        {
            // Whole-file reads of a seekable stream: one allocation of the exact size.
            long remaining = stream.Length - stream.Position;
            initial = (int)Math.Clamp(remaining + 1, 512, Array.MaxLength);
        }
        else
        {
            // Most headers fit in 16 KB; larger ones grow the buffer geometrically.
            int first = Math.Min(options.ReadBufferSize, 16 * 1024);
            initial = stream.CanSeek ? (int)Math.Clamp(stream.Length - stream.Position + 1, 512, first) : first;
        }
        var input = new DicomInputBuffer(stream, options.ReadBufferSize, initial);
        return await ReadCoreAsync(input, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens and reads a file.</summary>
    public static async Task<DicomFile> ReadAsync(string path, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await ReadAsync(fs, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a file held in memory; element values reference <paramref name="data"/> (no copy).</summary>
    public static DicomFile Read(ReadOnlyMemory<byte> data, DicomReadOptions? options = null)
    {
        var task = ReadCoreAsync(new DicomInputBuffer(data), options ?? DicomReadOptions.Default, CancellationToken.None);
        // A memory input never awaits real I/O: the task has always completed here.
        if (!task.IsCompleted) throw new InvalidOperationException("in-memory read did not complete synchronously");
        return task.GetAwaiter().GetResult();
    }

    private static async Task<DicomFile> ReadCoreAsync(DicomInputBuffer input, DicomReadOptions options, CancellationToken ct)
    {
        await input.EnsureAsync(132, ct).ConfigureAwait(false);
        var head = input.Available.Span;
        ReadOnlyMemory<byte>? preamble = null;
        if (head.Length >= 132 && head.Slice(128, 4).SequenceEqual(Dicm))
        {
            preamble = input.Available[..128].ToArray();
            input.Advance(132);
        }
        else if (head.Length >= 4 && head[..4].SequenceEqual(Dicm))
        {
            input.Advance(4);
        }

        var meta = new DicomDataset();
        await ParseElementsAsync(input, meta, true, false, options, metaOnly: true, stopAtPixel: false, ct).ConfigureAwait(false);
        DicomTransferSyntax? declared = meta.TryGetString(DicomTag.TransferSyntaxUID, out var tsUid) && tsUid.Length > 0
            ? DicomTransferSyntax.Lookup(tsUid)
            : null;

        var syntax = declared ?? DicomTransferSyntax.ExplicitVRLittleEndian;
        try
        {
            return await ReadDatasetAsync(input, meta, declared, syntax, preamble, options, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e) when (syntax.IsDeflated)
        {
            throw new DicomFormatException("deflated data set is not valid raw deflate data", e);
        }
    }

    private static async Task<DicomFile> ReadDatasetAsync(DicomInputBuffer input, DicomDataset meta, DicomTransferSyntax? declared,
        DicomTransferSyntax syntax, ReadOnlyMemory<byte>? preamble, DicomReadOptions options, CancellationToken ct)
    {
        bool hasMeta = meta.Count > 0;
        var datasetInput = input;
        if (syntax.IsDeflated)
        {
            var inflating = new DeflateStream(input.RemainderAsStream(), CompressionMode.Decompress);
            datasetInput = new DicomInputBuffer(inflating, options.ReadBufferSize, options.ReadBufferSize);
        }

        await datasetInput.EnsureAsync(8, ct).ConfigureAwait(false);
        var (explicitVR, bigEndian) = DetectEncoding(datasetInput.Available.Span, declared);
        if (declared is null)
            syntax = !explicitVR ? DicomTransferSyntax.ImplicitVRLittleEndian : bigEndian ? DicomTransferSyntax.ExplicitVRBigEndian : DicomTransferSyntax.ExplicitVRLittleEndian;

        var file = new DicomFile(new DicomDataset(), syntax, meta) { Preamble = preamble, HadNoFileMeta = !hasMeta };
        bool handlePixel = options.StopAtPixelData || options.SkipPixelData;
        while (true)
        {
            var pixel = await ParseElementsAsync(datasetInput, file.Dataset, explicitVR, bigEndian, options, false, handlePixel, ct).ConfigureAwait(false);
            if (pixel is null) break;
            bool stop = await HandlePixelDataAsync(datasetInput, pixel.Value, file, syntax, options, ct).ConfigureAwait(false);
            if (stop) break;
        }
        if (file.PixelData is null || !options.StopAtPixelData) file.HeaderLength = datasetInput.Position;
        file.BytesRead = input.BytesRead;
        return file;
    }

    // Peeks the first data set element: a valid VR at bytes 4-5 means Explicit VR; a zero first byte with a non-zero
    // second byte means big-endian group numbering. A declared syntax wins unless the bytes contradict it.
    internal static (bool ExplicitVR, bool BigEndian) DetectEncoding(ReadOnlySpan<byte> b, DicomTransferSyntax? declared)
    {
        if (b.Length < 8) return (declared?.IsExplicitVR ?? true, declared?.IsBigEndian ?? false);
        bool vrLetters = DicomVRInfo.TryFromBytes(b[4], b[5], out var vr);
        bool bigEndian = declared?.IsBigEndian ?? (b[0] == 0 && b[1] != 0);
        if (declared is null) return (vrLetters, bigEndian);
        if (declared.IsExplicitVR && !vrLetters) return (false, false);
        if (!declared.IsExplicitVR && vrLetters)
        {
            // In Implicit VR, bytes 4-7 are a 32-bit length; VR letters there would mean an absurd length.
            uint implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
            var tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(b), BinaryPrimitives.ReadUInt16LittleEndian(b[2..]));
            if (implicitLength > 0x00FFFFFF || DicomDictionary.GetImplicitVR(tag) == vr) return (true, false);
        }
        return (declared.IsExplicitVR, bigEndian);
    }

    /// <summary>Parses top-level elements until the input ends (or, for metaOnly, the group is not 0002); returns the Pixel Data header when stopping there.</summary>
    private static async Task<DicomElementHeader?> ParseElementsAsync(DicomInputBuffer input, DicomDataset target, bool explicitVR, bool bigEndian,
        DicomReadOptions options, bool metaOnly, bool stopAtPixel, CancellationToken ct)
    {
        while (true)
        {
            if (!await input.EnsureAsync(metaOnly ? 8 : 1, ct).ConfigureAwait(false) && (metaOnly || input.Available.IsEmpty)) return null;
            var avail = input.Available;
            var parser = new DicomDatasetParser(avail, input.Position, input.IsEndOfStream, explicitVR, bigEndian, options);
            int pos = 0, committed = 0;
            try
            {
                while (pos < avail.Length)
                {
                    if (metaOnly)
                    {
                        if (avail.Length - pos < 8) break;
                        if (BinaryPrimitives.ReadUInt16LittleEndian(avail.Span[pos..]) != 0x0002)
                        {
                            input.Advance(pos);
                            return null;
                        }
                    }
                    if (!parser.ParseTopLevel(ref pos, target, stopAtPixel, out var pixelHeader))
                    {
                        input.Advance(pos);
                        return pixelHeader;
                    }
                    committed = pos;
                }
                input.Advance(pos);
                if (metaOnly && input.IsEndOfStream && input.Available.Length < 8) return null;
            }
            catch (NeedMoreDataException more)
            {
                // Restart the element that did not fit once more input is buffered.
                input.Advance(committed);
                long need = more.Required - committed;
                if (need > options.MaxElementLength + 16)
                    throw new DicomFormatException($"an element needs {need} bytes, above the limit {options.MaxElementLength} (offset {input.Position})");
                await input.EnsureAsync(need, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> HandlePixelDataAsync(DicomInputBuffer input, DicomElementHeader h, DicomFile file, DicomTransferSyntax syntax,
        DicomReadOptions options, CancellationToken ct)
    {
        long elementOffset = input.Position;
        input.Advance(h.Size);
        var ds = file.Dataset;
        bool encapsulated = h.IsUndefinedLength;
        var info = new PixelDataInfo(h.Tag, h.VR, elementOffset, input.Position, encapsulated ? -1 : h.Length, encapsulated)
        {
            TransferSyntax = syntax,
            IsInflatedOffsets = syntax.IsDeflated,
            NumberOfFrames = ds.TryGetInt32(DicomTag.NumberOfFrames, out var frames) && frames > 0 ? frames : 1,
            Rows = ds.GetInt32OrDefault(DicomTag.Rows, 0),
            Columns = ds.GetInt32OrDefault(DicomTag.Columns, 0),
            SamplesPerPixel = ds.GetInt32OrDefault(DicomTag.SamplesPerPixel, 1),
            BitsAllocated = ds.GetInt32OrDefault(DicomTag.BitsAllocated, 0),
            PhotometricInterpretation = ds.GetStringOrDefault(DicomTag.PhotometricInterpretation)?.Trim(),
            ExtendedOffsetTable = ReadUInt64s(ds, DicomTag.ExtendedOffsetTable),
            ExtendedOffsetTableLengths = ReadUInt64s(ds, DicomTag.ExtendedOffsetTableLengths),
        };
        file.PixelData = info;
        file.HeaderLength = elementOffset;
        if (!encapsulated)
        {
            if (options.StopAtPixelData) return true;
            await input.SkipAsync(h.Length, ct).ConfigureAwait(false);
            return false;
        }
        if (options.StopAtPixelData && !options.ScanFragments) return true;
        await ScanFragmentsAsync(input, info, options, ct).ConfigureAwait(false);
        return options.StopAtPixelData;
    }

    private static async Task ScanFragmentsAsync(DicomInputBuffer input, PixelDataInfo info, DicomReadOptions options, CancellationToken ct)
    {
        var fragments = new List<DicomByteRange>();
        bool first = true;
        while (true)
        {
            long at = input.Position;
            if (!await input.EnsureAsync(8, ct).ConfigureAwait(false))
                throw new DicomFormatException("encapsulated pixel data ends without a sequence delimiter", info.Tag, at);
            var s = input.Available.Span;
            var tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(s), BinaryPrimitives.ReadUInt16LittleEndian(s[2..]));
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
            input.Advance(8);
            if (tag == DicomTag.SequenceDelimitationItem) break;
            if (tag != DicomTag.Item || length == DicomElementHeader.UndefinedLength)
                throw new DicomFormatException("expected a fragment item in encapsulated pixel data", tag, at);
            if (first)
            {
                first = false;
                if (length > options.MaxElementLength || length % 4 != 0 || !await input.EnsureAsync(length, ct).ConfigureAwait(false))
                    throw new DicomFormatException($"invalid Basic Offset Table of {length} bytes", tag, at);
                var bot = input.Available.Span[..(int)length];
                var offsets = new uint[length / 4];
                for (int i = 0; i < offsets.Length; i++) offsets[i] = BinaryPrimitives.ReadUInt32LittleEndian(bot[(i * 4)..]);
                info.BasicOffsetTable = offsets;
                input.Advance((int)length);
                continue;
            }
            fragments.Add(new DicomByteRange(input.Position, length));
            await input.SkipAsync(length, ct).ConfigureAwait(false);
        }
        info.Fragments = fragments;
        info.ValueLength = input.Position - info.ValueOffset;
    }

    private static ulong[]? ReadUInt64s(DicomDataset ds, DicomTag tag)
    {
        if (!ds.TryGetBytes(tag, out var bytes) || bytes.Length < 8) return null;
        var span = bytes.Span;
        var values = new ulong[span.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadUInt64LittleEndian(span[(i * 8)..]);
        return values;
    }
}
