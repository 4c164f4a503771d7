using System.Text.Json;
using Mirc.Bench.Scaling;
using Xunit;

namespace Mirc.Bench.Tests;

public sealed class ScalingTests
{
    private static ScalingRow Row(string protocol, int instances, params double[] seconds) => new(protocol, instances, seconds, 0, null, 1.5);

    [Fact]
    public void Options_take_sizes_sorted_and_distinct_and_the_target()
    {
        var o = ScalingOptionsParser.Parse([
            "--dicom-port", "21104", "--called-ae", "MIRC", "--calling-ae", "MIRCBENCH", "--sizes", "1000, 10,100,10",
            "--repeat", "5", "--dicomweb-url", "http://127.0.0.1:21080/dicomweb/", "--bearer", "tok", "--no-warm-up", "--out", "/tmp/x",
        ]);

        Assert.Equal(21104, o.Archive.DicomPort);
        Assert.Equal([10, 100, 1000], o.Sizes);
        Assert.Equal(5, o.Repeat);
        Assert.Equal("http://127.0.0.1:21080/dicomweb", o.Archive.DicomWebUrl!.ToString());
        Assert.Equal("tok", o.Archive.Bearer);
        Assert.False(o.WarmUp);
        Assert.Equal("/tmp/x", o.OutFolder);
    }

    [Fact]
    public void Options_default_to_the_sizes_of_the_issue_and_dimse_only()
    {
        var o = ScalingOptionsParser.Parse([]);

        Assert.Equal([10, 100, 1000, 5000], o.Sizes);
        Assert.Equal(3, o.Repeat);
        Assert.Equal(4, o.Associations);
        Assert.Null(o.Archive.DicomWebUrl);
        Assert.True(o.WarmUp);
    }

    [Theory]
    [InlineData("--sizes", "10,0")]
    [InlineData("--sizes", "10,x")]
    [InlineData("--sizes", ",")]
    [InlineData("--repeat", "0")]
    [InlineData("--dicom-port", "70000")]
    [InlineData("--calling-ae", "SEVENTEEN_CHARS_X")]
    [InlineData("--dicomweb-url", "ftp://host/x")]
    [InlineData("--frobnicate", "1")]
    public void Bad_options_are_refused(string name, string value) =>
        Assert.Throws<ArgumentException>(() => ScalingOptionsParser.Parse([name, value]));

    [Fact]
    public void Option_without_its_value_is_refused() =>
        Assert.Throws<ArgumentException>(() => ScalingOptionsParser.Parse(["--sizes"]));

    [Fact]
    public void Row_figures_come_from_the_best_and_median_runs()
    {
        var odd = Row("dimse.c-get", 1000, 0.5, 0.2, 0.4);
        var even = Row("dimse.c-get", 1000, 0.5, 0.2, 0.4, 0.3);

        Assert.Equal(0.2, odd.BestSeconds, 12);
        Assert.Equal(0.4, odd.MedianSeconds, 12);
        Assert.Equal(2500, odd.ImagesPerSecond, 9);
        Assert.Equal(200, odd.BestMicrosecondsPerInstance, 9);
        Assert.Equal(400, odd.MedianMicrosecondsPerInstance, 9);
        Assert.Equal(0.35, even.MedianSeconds, 12);
    }

    [Fact]
    public void Row_without_a_successful_run_has_zero_figures()
    {
        var failed = new ScalingRow("dimse.c-get", 100, [], 3, "boom", null);

        Assert.Equal((0d, 0d, 0d, 0d), (failed.BestSeconds, failed.MedianSeconds, failed.ImagesPerSecond, failed.BestMicrosecondsPerInstance));
    }

    [Fact]
    public void Flatness_compares_the_largest_size_with_the_smallest_but_one_and_fits_a_line()
    {
        // 100: best 120 µs/instance, median 130; 5000: best 100.4 µs, median 156; the line: 2 ms + 100 µs per instance.
        var rows = new[]
        {
            Row("dimse.c-get", 10, 0.05, 0.06), Row("dimse.c-get", 100, 0.013, 0.012, 0.0135),
            Row("dimse.c-get", 1000, 0.1), Row("dimse.c-get", 5000, 0.9, 0.502, 0.78),
            Row("dicomweb.wado", 10, 0.02), Row("dicomweb.wado", 100, 0.02),
        };

        var flatness = ScalingFlatness.Of(rows);

        var get = Assert.Single(flatness, f => f.Protocol == "dimse.c-get");
        Assert.Equal((100, 5000), (get.ReferenceInstances, get.LargestInstances));
        Assert.Equal(100.4 / 120, get.BestRatio, 9);
        Assert.Equal(1.2, get.MedianRatio, 9);
        Assert.Equal(100, get.MarginalMicrosecondsPerInstance, 6);
        Assert.Equal(2, get.FixedMilliseconds, 6);
        // Two sizes only: the smallest is the reference.
        var wado = Assert.Single(flatness, f => f.Protocol == "dicomweb.wado");
        Assert.Equal((10, 100), (wado.ReferenceInstances, wado.LargestInstances));
        Assert.Equal(0.1, wado.BestRatio, 9);
        Assert.Equal(0, wado.MarginalMicrosecondsPerInstance, 9);
        Assert.Equal(20, wado.FixedMilliseconds, 9);
    }

    [Fact]
    public void Flatness_needs_two_sizes_and_successful_runs_at_both_ends()
    {
        Assert.Empty(ScalingFlatness.Of([Row("dimse.c-get", 100, 0.1)]));
        Assert.Empty(ScalingFlatness.Of([Row("dimse.c-get", 10, 0.1), Row("dimse.c-get", 100, 0.1), new ScalingRow("dimse.c-get", 1000, [], 3, "x", null)]));
    }

    [Fact]
    public void Markdown_shows_each_row_the_ratio_and_why_the_smallest_study_is_left_out()
    {
        var report = new ScalingReport(DateTimeOffset.UnixEpoch, "2 cores", "DIMSE MIRC@127.0.0.1:1", "tiny CT", 3, true,
        [
            Row("dimse.c-get", 10, 0.05), Row("dimse.c-get", 100, 0.012, 0.02, 0.014),
            Row("dimse.c-get", 5000, 0.502) with { Failures = 1, Error = "a|b" },
        ]);

        var text = ScalingReportMarkdown.Format(report);

        Assert.Contains("dimse.c-get 5000 vs 100 instances 0.84x", text);
        Assert.Contains("| dimse.c-get | 100 | 3 | 0.012 | 0.014 | 7143 | 120 | 140 | 1.5 | 0 |", text);
        Assert.Contains("| dimse.c-get | 5000 | 1 | 0.502 | 0.502 | 9960 | 100 | 100 | 1.5 | 1 (a/b) |", text);
        Assert.Contains("**0.84x** (best runs), 0.72x (median runs); 1.00 = flat; the line through the two best runs: 2.0 ms per retrieval + 100 µs per instance", text);
        Assert.Contains("the 10-instance study is dominated by per-retrieval set-up", text);
        Assert.Contains("after one unmeasured warm-up retrieval of each, 3 rounds", text);
        Assert.False(report.Succeeded);
    }

    [Fact]
    public async Task Retrieval_series_times_every_run_and_counts_failures_without_stopping()
    {
        var ct = TestContext.Current.CancellationToken;
        var series = new RetrievalSeries("dimse.c-get", 7);
        var calls = 0;
        async Task Retrieve(CancellationToken token)
        {
            if (++calls == 2) throw new InvalidOperationException("short answer");
            await Task.Delay(20, token);
        }

        for (var run = 0; run < 4; run++) await series.RunAsync(Retrieve, ct);
        series.Fail("later", 2);
        var row = series.ToRow();

        Assert.Equal(4, calls);
        Assert.Equal(3, row.Seconds.Count);
        Assert.All(row.Seconds, s => Assert.InRange(s, 0.015, 5));
        Assert.Equal(3, row.Failures);
        Assert.Equal("InvalidOperationException: short answer", row.Error);
        Assert.Equal(("dimse.c-get", 7), (row.Protocol, row.Instances));
    }

    [Fact]
    public async Task Cancelling_the_run_propagates_out_of_a_series()
    {
        using var cancel = new CancellationTokenSource();
        var series = new RetrievalSeries("dimse.c-get", 1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => series.RunAsync(token => Task.Delay(1000, token), cancel.Token));
        Assert.Equal(0, series.ToRow().Failures);
    }

    [Fact]
    public async Task Report_files_hold_the_json_with_derived_figures_and_the_markdown()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Path.Combine(Path.GetTempPath(), $"mirc-scaling-{Guid.NewGuid():N}");
        var report = new ScalingReport(DateTimeOffset.UnixEpoch, "m", "t", "d", 2, false, [Row("dimse.c-get", 100, 0.01, 0.03), Row("dimse.c-get", 1000, 0.2)]);
        try
        {
            var (json, markdown) = await ScalingReportFiles.WriteAsync(report, folder, ct);

            using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(json, ct));
            var rows = doc.RootElement.GetProperty("rows");
            Assert.Equal(2, rows.GetArrayLength());
            Assert.Equal(0.02, rows[0].GetProperty("medianSeconds").GetDouble(), 9);
            Assert.Equal(2.0, doc.RootElement.GetProperty("flatness")[0].GetProperty("bestRatio").GetDouble(), 9);
            Assert.Equal(ScalingReportMarkdown.Format(report), await File.ReadAllTextAsync(markdown, ct));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
