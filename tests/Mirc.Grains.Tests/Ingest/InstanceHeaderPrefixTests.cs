using Mirc.Dicom;
using Mirc.Grains.Ingest;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.Ingest;

/// <summary>
/// The ingest parses an instance's header from the prefix it captured while streaming, in place, and falls back to the
/// stream only when that prefix may not hold the whole header. A prefix that merely parses is not enough: one cut
/// between two elements reads as a complete, shorter data set.
/// </summary>
public sealed class InstanceHeaderPrefixTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_prefix_that_reaches_native_pixel_data_gives_the_header_the_stream_gives()
    {
        var bytes = new SyntheticInstance { Rows = 64, Columns = 64 }.ToPart10();
        var pixelData = DicomFileReader.Read(bytes, DicomReadOptions.HeaderOnly).PixelData!;

        var prefix = InstanceHeaderReader.TryRead(bytes.AsMemory(0, (int)pixelData.ValueOffset), acceptPartial: false);

        Assert.NotNull(prefix);
        Assert.Equivalent(await StreamReadAsync(bytes), prefix, strict: true);
        Assert.Equal(64 * 64 * 2, prefix.Frames.NativeFrameLength);
    }

    [Fact]
    public async Task Legacy_dates_and_times_are_indexed_in_todays_form_so_they_match_like_the_others()
    {
        // ACR-NEMA era values, which PS3.5 asks readers to accept (pydicom's dicomdirtests hold "1997.04.24").
        var file = DicomFileReader.Read(new SyntheticInstance { Rows = 8, Columns = 8 }.ToPart10());
        file.Dataset.Set(DicomTag.StudyDate, "1997.04.24").Set(DicomTag.StudyTime, "07:27:31.5").Set(DicomTag.PatientBirthDate, "1950.01.02");
        var header = await StreamReadAsync(DicomFileWriter.Write(file));
        Assert.Equal("19970424", header.StudyDate);
        Assert.Equal("072731.5", header.StudyTime);
        Assert.Equal("19500102", header.PatientBirthDate);

        file.Dataset.Set(DicomTag.StudyDate, "20240131").Set(DicomTag.StudyTime, "not a time");
        header = await StreamReadAsync(DicomFileWriter.Write(file));
        Assert.Equal("20240131", header.StudyDate);
        Assert.Equal("not a time", header.StudyTime);
    }

    [Fact]
    public async Task A_prefix_cut_anywhere_before_the_pixel_data_is_never_taken_for_the_whole_header()
    {
        var bytes = new SyntheticInstance { Rows = 8, Columns = 8 }.ToPart10();
        var pixelData = DicomFileReader.Read(bytes, DicomReadOptions.HeaderOnly).PixelData!;

        for (var cut = 0; cut < pixelData.ValueOffset; cut++)
        {
            Assert.Null(InstanceHeaderReader.TryRead(bytes.AsMemory(0, cut), acceptPartial: false));
        }

        // Cut exactly before the Pixel Data element the prefix parses cleanly — as a header without pixel data, which is
        // why parsing is not enough.
        var cleanCut = InstanceHeaderReader.TryRead(bytes.AsMemory(0, (int)pixelData.ElementOffset), acceptPartial: true);
        Assert.NotNull(cleanCut);
        Assert.Equal(1, (await StreamReadAsync(bytes)).Frames.FrameCount);
        Assert.Equal(0, cleanCut.Frames.FrameCount);
    }

    [Fact]
    public async Task Encapsulated_pixel_data_needs_every_fragment_item_so_only_the_whole_file_is_read_in_place()
    {
        var bytes = new SyntheticInstance { Encapsulated = true, Frames = 3 }.ToPart10();

        Assert.Null(InstanceHeaderReader.TryRead(bytes.AsMemory(0, bytes.Length - 8), acceptPartial: false));
        Assert.Equivalent(await StreamReadAsync(bytes), InstanceHeaderReader.TryRead(bytes, acceptPartial: true), strict: true);
    }

    [Fact]
    public async Task A_deflated_instance_is_read_in_place_once_its_inflated_bytes_reach_the_pixel_data()
    {
        var bytes = DicomFileWriter.Write(new DicomFile(new SyntheticInstance { Rows = 32, Columns = 32 }.BuildDataset(), DicomTransferSyntax.DeflatedExplicitVRLittleEndian));
        var expected = await StreamReadAsync(bytes);

        Assert.Equivalent(expected, InstanceHeaderReader.TryRead(bytes, acceptPartial: true), strict: true);
        var accepted = 0;
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            // Compressed, the header may end anywhere: whatever is accepted must be the whole header.
            if (InstanceHeaderReader.TryRead(bytes.AsMemory(0, cut), acceptPartial: false) is { } header)
            {
                Assert.Equivalent(expected, header, strict: true);
                accepted++;
            }
        }

        Assert.InRange(accepted, 1, bytes.Length - 1);
        Assert.Null(InstanceHeaderReader.TryRead(bytes.AsMemory(0, 200), acceptPartial: false));
    }

    [Fact]
    public void Bytes_that_are_not_part_10_are_left_to_the_stream_read_and_its_error()
    {
        Assert.Null(InstanceHeaderReader.TryRead(new SyntheticInstance().ToDataset(), acceptPartial: true));
        Assert.Null(InstanceHeaderReader.TryRead("not dicom at all"u8.ToArray(), acceptPartial: true));
    }

    [Fact]
    public async Task Every_third_party_file_read_in_place_from_the_ingest_s_prefix_gives_the_header_the_stream_gives()
    {
        // Files written by pydicom, GDCM and dicom3tools (Debian), cut where the ingest's default capture ends.
        const int captureBytes = 64 * 1024;
        var inPlace = 0;
        foreach (var file in Mirc.Testing.DebianDicomCorpus.ReadableByDcmdump)
        {
            var bytes = await File.ReadAllBytesAsync(file.Path, Ct);
            var prefix = bytes.AsMemory(0, Math.Min(bytes.Length, captureBytes));
            if (InstanceHeaderReader.TryRead(prefix, acceptPartial: prefix.Length == bytes.Length) is not { } header)
            {
                continue;
            }

            Assert.True(Equivalent(await StreamReadAsync(bytes), header), $"{file.Name}: the in-place header differs from the stream's");
            inPlace++;
        }

        Assert.True(inPlace >= 20, $"only {inPlace} corpus files were read in place");
    }

    private static bool Equivalent(InstanceHeader expected, InstanceHeader actual)
    {
        try
        {
            Assert.Equivalent(expected, actual, strict: true);
            return true;
        }
        catch (Xunit.Sdk.EquivalentException)
        {
            return false;
        }
    }

    private static async Task<InstanceHeader> StreamReadAsync(byte[] bytes)
    {
        // Non-seekable, like the ingest's streams.
        await using var stream = new PrefixedReadStream(bytes, Stream.Null);
        return await InstanceHeaderReader.ReadAsync(stream, Ct);
    }
}
