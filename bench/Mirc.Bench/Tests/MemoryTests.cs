using Mirc.Bench.Measurement;
using Mirc.Bench.Memory;
using Mirc.Dicom;
using Xunit;

namespace Mirc.Bench.Tests;

public sealed class MemoryTests
{
    private static readonly StreamedMultiFrameSpec Small = new("P-MEM", "2.25.1", "2.25.2", "2.25.3", 16, 16, 5);

    [Fact]
    public async Task Generated_instance_parses_with_the_header_reader_and_declares_its_full_length()
    {
        await using var stream = new SyntheticMultiFrameStream(Small);

        var file = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, TestContext.Current.CancellationToken);

        var pixels = Assert.IsType<PixelDataInfo>(file.PixelData);
        Assert.False(pixels.IsEncapsulated);
        Assert.Equal(16 * 16 * 5, pixels.ValueLength);
        Assert.Equal(stream.HeaderLength, pixels.ValueOffset);
        Assert.Equal(stream.Length, pixels.ValueOffset + pixels.ValueLength);
        Assert.Equal(5, pixels.NumberOfFrames);
        Assert.Equal((16, 16, 8), (pixels.Rows, pixels.Columns, pixels.BitsAllocated));
        Assert.Equal("2.25.3", file.SopInstanceUid);
        Assert.Equal(DicomUids.XRayAngiographicImageStorage, file.SopClassUid);
        Assert.Equal("MÉMOIRE^Zoé", file.Dataset.GetStringOrDefault(DicomTag.PatientName));
        Assert.Equal("2.25.1", file.Dataset.GetStringOrDefault(DicomTag.StudyInstanceUID));
    }

    [Fact]
    public async Task Frames_are_computed_per_frame_and_reads_of_any_size_give_the_same_bytes()
    {
        var whole = new byte[new SyntheticMultiFrameStream(Small).Length];
        await using (var oneRead = new SyntheticMultiFrameStream(Small))
        {
            Assert.Equal(whole.Length, await oneRead.ReadAsync(whole, TestContext.Current.CancellationToken));
            Assert.Equal(0, await oneRead.ReadAsync(new byte[8], TestContext.Current.CancellationToken));
        }

        using var chunked = new MemoryStream();
        await using (var source = new SyntheticMultiFrameStream(Small))
        {
            // An odd buffer size: chunks straddle the header/pixel boundary and frame boundaries.
            await source.CopyToAsync(chunked, 7, TestContext.Current.CancellationToken);
        }

        Assert.Equal(whole, chunked.ToArray());
        var file = DicomFileReader.Read(whole);
        var pixels = file.Dataset[DicomTag.PixelData]!.Buffer.ToArray();
        Assert.Equal(16 * 16 * 5, pixels.Length);
        for (var f = 0; f < 5; f++)
        {
            var frame = pixels.AsSpan(f * 256, 256);
            Assert.Equal((uint)f, BitConverter.ToUInt32(frame[..4]));
            for (var i = 0; i < frame.Length; i++) Assert.Equal(SyntheticMultiFrameStream.PixelAt(f, i), frame[i]);
        }

        Assert.False(pixels.AsSpan(256, 256).SequenceEqual(pixels.AsSpan(512, 256)));
        Assert.Equal(Part10FirstDatasetTag, whole.AsSpan(new SyntheticMultiFrameStream(Small).DatasetOffset, 4).ToArray());
    }

    [Fact]
    public async Task Instances_beyond_any_array_size_declare_their_length_and_seek_to_their_last_frame()
    {
        var spec = StreamedMultiFrameSpec.ForSize("t", 3_000_000_000, 512);
        await using var stream = new SyntheticMultiFrameStream(spec);

        var file = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, TestContext.Current.CancellationToken);

        Assert.Equal(3_000_000_000L / (512 * 512), (long)spec.Frames);
        Assert.True(spec.PixelDataLength > int.MaxValue);
        Assert.Equal(spec.PixelDataLength, file.PixelData!.ValueLength);
        Assert.Equal(stream.Length, stream.HeaderLength + spec.PixelDataLength);
        var lastFrame = file.PixelData.GetFrameRange(spec.Frames - 1)[0];
        stream.Position = lastFrame.Offset;
        var tail = new byte[lastFrame.Length + 10];
        Assert.Equal(lastFrame.Length, await stream.ReadAsync(tail, TestContext.Current.CancellationToken));
        Assert.Equal((uint)(spec.Frames - 1), BitConverter.ToUInt32(tail, 0));
        Assert.Equal(SyntheticMultiFrameStream.PixelAt(spec.Frames - 1, 1000), tail[1000]);
    }

    [Fact]
    public void Sizes_a_32_bit_length_cannot_declare_are_refused()
    {
        Assert.Throws<ArgumentException>(() => StreamedMultiFrameSpec.ForSize("t", 5_000_000_000, 512));
        Assert.Throws<ArgumentException>(() => StreamedMultiFrameSpec.ForSize("t", 1000, 511));
        Assert.Equal(1, StreamedMultiFrameSpec.ForSize("t", 10, 256).Frames);
    }

    [Fact]
    public void Proc_status_figures_are_parsed_in_bytes()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t 9999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nRssAnon:\t   51200 kB\nRssFile:\t 51200 kB\n";

        var parsed = ProcMemoryStatus.Parse(status);

        Assert.Equal(new ProcMemoryStatus(102400L * 1024, 204800L * 1024, 51200L * 1024), parsed);
        Assert.Throws<FormatException>(() => ProcMemoryStatus.Parse("Name:\tx\nVmRSS:\t1 kB\n"));
    }

    [Fact]
    public async Task Watch_samples_a_live_process_and_refuses_a_missing_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var watch = await ProcessMemoryWatch.StartAsync(Environment.ProcessId, TimeSpan.FromMilliseconds(20), ct);
        var ballast = new byte[32 * 1024 * 1024];
        Array.Fill(ballast, (byte)1);
        await Task.Delay(300, ct);

        var window = await watch.StopAsync();

        GC.KeepAlive(ballast);
        Assert.Null(window.Error);
        Assert.InRange(window.Samples, 4, 1000);
        Assert.True(window.PeakRssBytes >= window.Before.RssBytes + 16_000_000, $"peak {window.PeakRssBytes} before {window.Before.RssBytes}");
        Assert.True(window.HwmAtEndBytes >= window.PeakRssBytes - 4_000_000);
        await Assert.ThrowsAsync<IOException>(() => ProcessMemoryWatch.StartAsync(int.MaxValue - 1, TimeSpan.FromMilliseconds(20), ct));
    }

    [Fact]
    public void Options_need_a_pid_and_take_the_bound_in_megabytes()
    {
        var o = MemoryOptionsParser.Parse(["--pid", "42", "--dicom-port", "20104", "--limit-mb", "900", "--instances", "10", "--multiframe-bytes", "0"]);

        Assert.Equal((42, 20104, 900_000_000L, 10, 0L), (o.SiloPid, o.Archive.DicomPort, o.LimitBytes, o.Instances, o.MultiFrameBytes));
        Assert.Throws<ArgumentException>(() => MemoryOptionsParser.Parse(["--dicom-port", "1"]));
        Assert.Throws<ArgumentException>(() => MemoryOptionsParser.Parse(["--pid", "1", "--instances", "0", "--multiframe-bytes", "0"]));
        Assert.Throws<ArgumentException>(() => MemoryOptionsParser.Parse(["--pid", "1", "--frame-side", "511"]));
    }

    [Fact]
    public void Report_says_whether_every_step_held_the_bound()
    {
        MemoryStepResult Step(string name, long peak, bool within) => new(
            new OperationResult(name, "d", 1, 0, 1, 1000, 2, 1, 1, 1, null),
            new MemoryWindow(new ProcMemoryStatus(100_000_000, 100_000_000, 50_000_000), peak, peak / 2, peak, true, 20, null), within);
        var held = new MemoryReport(DateTimeOffset.UnixEpoch, "m", "t", 1, 1_000_000_000, [Step("a", 400_000_000, true)], 1, 1);
        var broken = held with { Steps = [Step("a", 400_000_000, true), Step("b", 1_200_000_000, false)] };

        Assert.True(held.BoundHeld);
        Assert.False(broken.BoundHeld);
        Assert.Equal(1_200_000_000, broken.PeakBytes);
        var text = MemoryReportMarkdown.Format(broken);
        Assert.Contains("NOT HELD, peak 1200 MB", text);
        Assert.Contains("| b | d | 2.0 | 1 | 0.5 | 0.0 | 100 | 1200 | 600 | 1200 | 20 | **no** |", text);
    }

    // (0008,0005) Specific Character Set is the first data set element.
    private static readonly byte[] Part10FirstDatasetTag = [0x08, 0x00, 0x05, 0x00];
}
